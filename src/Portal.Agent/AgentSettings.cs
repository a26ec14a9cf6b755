namespace Portal.Agent;

/// <summary>
/// The agent's command line: <c>--server URL --node NAME --dataplane linux|simulated [--netns NAME]</c>, with the join token
/// from <c>--join-token-file PATH</c> or the environment variable <c>PORTAL_JOIN_TOKEN</c> (not on the command line, which
/// every user of the machine can read in <c>ps</c>).
/// </summary>
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

    /// <summary>The environment variable the join token may come in.</summary>
    public const string JoinTokenVariable = "PORTAL_JOIN_TOKEN";

    public const string Usage = """
        Portal node agent.
          PORTAL_JOIN_TOKEN=TOKEN Portal.Agent --server URL --node NAME [--node NAME...] --dataplane linux|simulated
                       [--join-token-file PATH] [--netns NAME] [--state-dir DIR] [--pods N] [--repair-interval SECONDS] [--parent-pid PID]
          Portal.Agent pod add NAME --node NODE [--state-dir DIR]
          Portal.Agent pod del NAME --node NODE [--state-dir DIR]
          Portal.Agent pod list --node NODE [--state-dir DIR]
        The linux dataplane (root) programs the node's network namespace (--netns, or this one); it takes one node.
        The simulated dataplane keeps routes in memory and may host many nodes in one process.
        The cluster's join token comes from --join-token-file (the file's first line) or PORTAL_JOIN_TOKEN; --join-token
        TOKEN still works but shows the token to every user of the machine (ps), so it prints a warning.
        Each node's credential is kept in its state directory: a restarted agent takes its node back at once.
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

    /// <summary>
    /// The settings of the parsed options; the join token from <c>--join-token-file</c>, else <c>--join-token</c> (with a
    /// warning on <paramref name="warnings"/>), else <see cref="JoinTokenVariable"/> in <paramref name="environment"/>
    /// (default: this process's, from which it is then removed, so that the processes the agent runs do not inherit it).
    /// </summary>
    public static AgentSettings FromOptions(Dictionary<string, List<string>> o, TextWriter? warnings = null, Func<string, string?>? environment = null)
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
            JoinToken = JoinTokenFrom(Maybe("--join-token-file"), Maybe("--join-token"), warnings, environment),
            Nodes = nodes,
            Dataplane = dataplane,
            Netns = Maybe("--netns"),
            StateDirectory = Maybe("--state-dir") ?? Portal.Agent.Dataplane.PodStore.DefaultStateDirectory,
            Pods = Int("--pods") ?? 0,
            ParentPid = Int("--parent-pid"),
            RepairInterval = TimeSpan.FromSeconds(Int("--repair-interval") ?? 30),
        };
    }

    private static string JoinTokenFrom(string? file, string? given, TextWriter? warnings, Func<string, string?>? environment)
    {
        string token;
        if (file is not null)
        {
            try
            {
                token = File.ReadLines(file).FirstOrDefault()?.Trim() ?? "";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ArgumentException($"--join-token-file {file}: {e.Message}");
            }
            if (token.Length == 0) throw new ArgumentException($"--join-token-file {file} is empty.");
            return token;
        }
        if (given is not null)
        {
            warnings?.WriteLine($"Portal.Agent: warning: --join-token shows the token to every user of this machine (ps); use --join-token-file PATH or {JoinTokenVariable}.");
            return given;
        }
        token = (environment ?? Environment.GetEnvironmentVariable)(JoinTokenVariable)?.Trim() ?? "";
        if (environment is null) Environment.SetEnvironmentVariable(JoinTokenVariable, null);
        return token.Length > 0
            ? token
            : throw new ArgumentException($"The join token is required: --join-token-file PATH, or the environment variable {JoinTokenVariable}.");
    }
}
