using System.Diagnostics;

/// <summary>
/// Loaded into the portal by DOTNET_STARTUP_HOOKS: kills the process, as a power cut would, when the workflow says
/// the step named by PORTAL_CRASH_IN_STEP has written its effects but not its outcome. The runtime looks for this
/// class by its name, outside any namespace.
/// </summary>
internal static class StartupHook
{
    private const string Listener = "Portal.Backend.Workflow";
    private const string Event = "StepWritten";

    public static void Initialize()
    {
        var step = Environment.GetEnvironmentVariable("PORTAL_CRASH_IN_STEP");
        if (string.IsNullOrEmpty(step)) return;
        DiagnosticListener.AllListeners.Subscribe(new Observer<DiagnosticListener>(listener =>
        {
            if (listener.Name == Listener) listener.Subscribe(new Observer<KeyValuePair<string, object?>>(e => CrashIf(step, e)));
        }));
    }

    private static void CrashIf(string step, KeyValuePair<string, object?> e)
    {
        // The payload is Portal.Backend's StepWrittenPayload; read by name so this needs no reference to it.
        if (e.Key != Event || e.Value?.GetType().GetProperty("Step")?.GetValue(e.Value) is not string written) return;
        if (!string.Equals(written, step, StringComparison.OrdinalIgnoreCase)) return;
        Console.Error.WriteLine($"Portal.Backend: crashing in step {written}, as the fault injection asked (PORTAL_CRASH_IN_STEP).");
        Console.Error.Flush();
        Process.GetCurrentProcess().Kill();
    }

    private sealed class Observer<T>(Action<T> next) : IObserver<T>
    {
        public void OnNext(T value) => next(value);
        public void OnError(Exception error) { }
        public void OnCompleted() { }
    }
}
