namespace Portal.Bench;

/// <summary>
/// The machine's load while a figure was taken: on a shared or small machine other work moves the figures,
/// and the load average says how much to trust them.
/// </summary>
internal static class LoadAverage
{
    public static string Describe()
    {
        try
        {
            var fields = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"load average {fields[0]} on {Environment.ProcessorCount} cores";
        }
        catch (IOException)
        {
            return "load average unknown";
        }
    }
}
