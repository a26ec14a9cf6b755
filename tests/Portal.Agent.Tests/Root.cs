namespace Portal.Agent.Tests;

/// <summary>
/// Root or nothing: these tests build real network namespaces. Elsewhere they skip with the reason, but under CI
/// (CI set) a skip would hide that the dataplane was never exercised, so they fail instead. Shared with the netns
/// end-to-end tests (linked).
/// </summary>
internal static class Root
{
    public static void Require()
    {
        if (Environment.UserName == "root") return;
        const string reason = "needs root: it creates network namespaces, links and routes";
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))) Assert.Fail($"This test {reason}, and CI is set: run CI as root.");
        Skip.If(true, $"This test {reason}; running as {Environment.UserName}.");
    }
}
