namespace Portal.Agent;

/// <summary>The agent's command line: <c>--server URL --join-token T --node NAME --dataplane linux|simulated [--netns NAME]</c>.</summary>
public sealed record AgentSettings
{
    public required Uri Server { get; init; }
    public required string JoinToken { get; init; }
    /// <summary>One node per agent; the simulated dataplane may host several in one process, each with its own connection.</summary>
    public required IReadOnlyList<string> Nodes { get; init; }
    public string Dataplane { get; init; } = "linux";
    public string? Netns { get; init; }
    public string StateDirectory { get; init; } = Portal.Agent.Dataplane.PodStore.DefaultStateDirectory;
    /// <summary>Pods <c>pod-1</c>…<c>pod-N</c> each node keeps (demo clusters come with pods to check).</summary>
    public int Pods { get; init; }
    /// <summary>Exit when this process is gone (agents started by the portal's local provisioner).</summary>
    public int? ParentPid { get; init; }
    public TimeSpan RepairInterval { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(15);

    public const string Usage = """
        Portal node agent.
          Portal.Agent --server URL --join-token TOKEN --node NAME [--node NAME...] --dataplane linux|simulated
                       [--netns NAME] [--state-dir DIR] [--pods N] [--repair-interval SECONDS] [--parent-pid PID]
          Portal.Agent pod add NAME --node NODE [--state-dir DIR]
          Portal.Agent pod del NAME --node NODE [--state-dir DIR]
          Portal.Agent pod list --node NODE [--state-dir DIR]
        The linux dataplane (root) programs the node's network namespace (--netns, or this one); it takes one node.
        The simulated dataplane keeps routes in memory and may host many nodes in one process.
        """;

    /// <summary>Parses the options after the command; throws <see cref="ArgumentException"/> with the problem.</summary>
    public static Dictionary<string, List<string>> ParseOptions(IEnumerable<string> args, out List<string> positional)
    {
        var options = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        positional = [];
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var arg = e.Current;
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                positional.Add(arg);
                continue;
            }
            if (!e.MoveNext()) throw new ArgumentException($"{arg} needs a value.");
            if (!options.TryGetValue(arg, out var values)) options[arg] = values = [];
            values.Add(e.Current);
        }
        return options;
    }

    public static AgentSettings FromOptions(Dictionary<string, List<string>> o)
    {
        string One(string name) => o.TryGetValue(name, out var v) ? v[^1] : throw new ArgumentException($"{name} is required.");
        string? Maybe(string name) => o.TryGetValue(name, out var v) ? v[^1] : null;
        int? Int(string name) => Maybe(name) is { } s ? int.TryParse(s, out var i) && i >= 0 ? i : throw new ArgumentException($"{name} must be a whole number, not «{s}».") : null;

        if (!Uri.TryCreate(One("--server"), UriKind.Absolute, out var server) || server.Scheme is not ("http" or "https"))
            throw new ArgumentException($"--server must be an http(s) URL, not «{One("--server")}».");
        var dataplane = Maybe("--dataplane") ?? "linux";
        if (dataplane is not ("linux" or "simulated")) throw new ArgumentException($"--dataplane is linux or simulated, not «{dataplane}».");
        var nodes = o.TryGetValue("--node", out var n) ? n : throw new ArgumentException("--node is required.");
        if (dataplane == "linux" && nodes.Count > 1) throw new ArgumentException("The linux dataplane runs one node per agent process.");
        return new AgentSettings
        {
            Server = server,
            JoinToken = One("--join-token"),
            Nodes = nodes,
            Dataplane = dataplane,
            Netns = Maybe("--netns"),
            StateDirectory = Maybe("--state-dir") ?? Portal.Agent.Dataplane.PodStore.DefaultStateDirectory,
            Pods = Int("--pods") ?? 0,
            ParentPid = Int("--parent-pid"),
            RepairInterval = TimeSpan.FromSeconds(Int("--repair-interval") ?? 30),
        };
    }
}
