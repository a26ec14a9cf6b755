namespace Portal.Contracts;

/// <summary>
/// What one call of the agent protocol may carry. The backend refuses a report beyond them (and writes nothing); the
/// agent keeps to them, so that an honest agent's heartbeat is never refused.
/// </summary>
public static class AgentLimits
{
    /// <summary>The largest message the backend's gRPC server reads; a valid report of the largest size fits with room.</summary>
    public const int MaxMessageBytes = 4 * 1024 * 1024;

    /// <summary>Pods per node (and per report), besides the usable addresses of the node's pod CIDR.</summary>
    public const int MaxPods = 1024;

    /// <summary>Probe results per report, besides the node's pods × the cluster's pods.</summary>
    public const int MaxProbes = 16_384;

    /// <summary>Errors per report, and characters per error (also a probe's error).</summary>
    public const int MaxErrors = 20;
    public const int MaxErrorLength = 500;

    /// <summary>A pod name is a DNS label (RFC 1123): 1–63 lowercase letters, digits and '-', starting and ending with a letter or digit.</summary>
    public const int MaxPodNameLength = 63;

    /// <summary>Node names, join tokens, credentials and the agent's version are at most this long.</summary>
    public const int MaxNameLength = 253;

    public static bool IsValidPodName(string name, int maxLength = MaxPodNameLength)
    {
        if (name.Length == 0 || name.Length > maxLength || !IsLowerAlphanumeric(name[0]) || !IsLowerAlphanumeric(name[^1])) return false;
        foreach (var c in name)
        {
            if (!IsLowerAlphanumeric(c) && c != '-') return false;
        }
        return true;
    }

    /// <summary>The agent's side of <see cref="MaxErrors"/> and <see cref="MaxErrorLength"/>: the first errors, each cut to the limit.</summary>
    public static IEnumerable<string> Bounded(IEnumerable<string> errors) =>
        errors.Take(MaxErrors).Select(e => Cut(e.Replace('\0', ' '), MaxErrorLength));

    /// <summary>At most <paramref name="max"/> characters, not splitting a surrogate pair.</summary>
    public static string Cut(string s, int max)
    {
        if (s.Length <= max) return s;
        var end = char.IsHighSurrogate(s[max - 1]) ? max - 1 : max;
        return s[..end];
    }

    private static bool IsLowerAlphanumeric(char c) => c is >= 'a' and <= 'z' or >= '0' and <= '9';
}
