using Portal.Agent.Dataplane;

namespace Portal.Agent.Tests;

/// <summary>
/// Where the agent's join token comes from (never needed on the command line, which <c>ps</c> shows every user) and
/// where it keeps its node credential. No root needed.
/// </summary>
public sealed class AgentSettingsTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("portal-agent-settings-");

    public void Dispose() => _dir.Delete(recursive: true);

    private static Dictionary<string, List<string>> Options(params string[] extra) =>
        AgentSettings.ParseOptions(["--server", "http://127.0.0.1:5081", "--node", "k8s-node-1", "--dataplane", "simulated", .. extra], out _);

    private static Func<string, string?> Environment(string? token) =>
        name => name == AgentSettings.JoinTokenVariable ? token : null;

    [Fact]
    public void The_join_token_comes_from_the_environment()
    {
        var warnings = new StringWriter();
        var settings = AgentSettings.FromOptions(Options(), warnings, Environment(" t0ken \n"));
        Assert.Equal("t0ken", settings.JoinToken);
        Assert.Equal("", warnings.ToString());
    }

    [Fact]
    public void The_join_token_file_gives_its_first_line_and_wins_over_the_environment()
    {
        var file = Path.Combine(_dir.FullName, "token");
        File.WriteAllText(file, "from-file\nsecond line\n");
        Assert.Equal("from-file", AgentSettings.FromOptions(Options("--join-token-file", file), null, Environment("from-env")).JoinToken);

        File.WriteAllText(file, "\n");
        var empty = Assert.Throws<ArgumentException>(() => AgentSettings.FromOptions(Options("--join-token-file", file), null, Environment(null)));
        Assert.Contains("is empty", empty.Message);
        var missing = Assert.Throws<ArgumentException>(() =>
            AgentSettings.FromOptions(Options("--join-token-file", Path.Combine(_dir.FullName, "none")), null, Environment(null)));
        Assert.Contains("--join-token-file", missing.Message);
    }

    [Fact]
    public void The_join_token_on_the_command_line_still_works_with_a_warning()
    {
        var warnings = new StringWriter();
        Assert.Equal("given", AgentSettings.FromOptions(Options("--join-token", "given"), warnings, Environment(null)).JoinToken);
        Assert.Contains("warning: --join-token shows the token to every user", warnings.ToString());
        Assert.Contains(AgentSettings.JoinTokenVariable, warnings.ToString());
    }

    [Fact]
    public void Without_a_join_token_the_agent_says_where_to_put_one()
    {
        var e = Assert.Throws<ArgumentException>(() => AgentSettings.FromOptions(Options(), null, Environment(null)));
        Assert.Contains("--join-token-file", e.Message);
        Assert.Contains(AgentSettings.JoinTokenVariable, e.Message);
    }

    [Fact]
    public void The_token_read_from_this_processs_environment_is_removed_from_it()
    {
        System.Environment.SetEnvironmentVariable(AgentSettings.JoinTokenVariable, "inherited");
        try
        {
            Assert.Equal("inherited", AgentSettings.FromOptions(Options()).JoinToken);
            // The ip processes the agent runs do not inherit it.
            Assert.Null(System.Environment.GetEnvironmentVariable(AgentSettings.JoinTokenVariable));
        }
        finally
        {
            System.Environment.SetEnvironmentVariable(AgentSettings.JoinTokenVariable, null);
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_node_credential_is_kept_readable_by_its_user_only()
    {
        var store = new PodStore(_dir.FullName, "k8s-node-1");
        Assert.Null(store.Credential());
        store.SaveCredential("first");
        store.SaveCredential("second");
        Assert.Equal("second", new PodStore(_dir.FullName, "k8s-node-1").Credential());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(store.Directory, "credential")));
        Assert.Null(new PodStore(_dir.FullName, "k8s-node-2").Credential());
    }

    [Fact]
    public async Task The_simulated_dataplane_refuses_a_pod_name_the_backend_would_refuse()
    {
        await using var dataplane = new SimulatedDataplane(new PodStore(_dir.FullName, "k8s-node-1"));
        var e = await Assert.ThrowsAsync<ArgumentException>(() => dataplane.AddPodAsync("Pod_1", CancellationToken.None));
        Assert.Contains("not a valid pod name", e.Message);
    }
}
