using Portal.Agent.Dataplane;

namespace Portal.Agent;

/// <summary><c>Portal.Agent pod add|del|list</c>: pods of the node on this machine, through its dataplane.</summary>
internal static class PodCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = AgentSettings.ParseOptions(args, out var positional);
        if (positional.Count == 0 || positional[0] is not ("add" or "del" or "list"))
            throw new ArgumentException("pod needs add NAME, del NAME or list.");
        var node = options.TryGetValue("--node", out var n) ? n[^1] : throw new ArgumentException("--node is required.");
        var stateDir = options.TryGetValue("--state-dir", out var d) ? d[^1] : PodStore.DefaultStateDirectory;
        var store = new PodStore(stateDir, node);
        var record = store.Node();
        if (record is null)
        {
            Console.Error.WriteLine($"Portal.Agent: node «{node}» has no state in {store.Directory}: its agent has not applied a snapshot yet.");
            return 1;
        }
        await using IDataplane dataplane = record.Dataplane == "linux" ? new LinuxDataplane(store, record.Netns) : new SimulatedDataplane(store);
        var verb = positional[0];
        if (verb == "list")
        {
            foreach (var pod in dataplane.Pods()) Console.WriteLine($"{pod.Name}\t{pod.Ip}\t{pod.Netns ?? "-"}");
            return 0;
        }
        if (positional.Count != 2) throw new ArgumentException($"pod {verb} needs one pod name.");
        try
        {
            if (verb == "add")
            {
                var pod = await dataplane.AddPodAsync(positional[1], CancellationToken.None);
                Console.WriteLine($"{pod.Name}\t{pod.Ip}\t{pod.Netns ?? "-"}");
                return 0;
            }
            if (await dataplane.DeletePodAsync(positional[1], CancellationToken.None)) return 0;
            Console.Error.WriteLine($"Portal.Agent: node «{node}» has no pod «{positional[1]}».");
            return 1;
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"Portal.Agent: {e.Message}");
            return 1;
        }
    }
}
