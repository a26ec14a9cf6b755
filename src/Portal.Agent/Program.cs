using Portal.Agent;
using Portal.Agent.Dataplane;

try
{
    if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
    {
        Console.WriteLine(AgentSettings.Usage);
        return args.Length == 0 ? 2 : 0;
    }
    if (args[0] == "pod") return await PodCommand.RunAsync(args[1..]);

    var settings = AgentSettings.FromOptions(AgentSettings.ParseOptions(args, out var positional), Console.Error);
    if (positional.Count > 0) throw new ArgumentException($"Unexpected argument «{positional[0]}».");
    using var stop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
    AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
    await AgentHost.RunAsync(settings, Console.Error, stop.Token);
    return 0;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"Portal.Agent: {e.Message}");
    Console.Error.WriteLine(AgentSettings.Usage);
    return 2;
}
