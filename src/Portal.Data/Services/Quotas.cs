using Portal.Core.Errors;

namespace Portal.Data.Services;

/// <summary>Resource names of quotas rows, and the defaults a new project gets.</summary>
public static class Quotas
{
    public const string Networks = "networks";
    public const string Subnets = "subnets";
    public const string Ports = "ports";

    /// <summary>The resources in the order of the «Сети» section: networks, their subnets, their ports.</summary>
    public static readonly System.Collections.Immutable.ImmutableArray<string> All = [Networks, Subnets, Ports];

    public static readonly IReadOnlyDictionary<string, int> Defaults = new Dictionary<string, int>
    {
        [Networks] = 100,
        [Subnets] = 100,
        [Ports] = 500,
    };

    /// <summary>A quota resource's name in the reader's language, e.g. «порты», for the console as for the API's errors.</summary>
    public static LocalizedText Name(string resource) => new(ResourceKey(resource));

    /// <summary>The message resource that names a quota's resource, e.g. «порты».</summary>
    public static string ResourceKey(string resource) => resource switch
    {
        Networks => "Quota.Networks",
        Subnets => "Quota.Subnets",
        Ports => "Quota.Ports",
        _ => throw new ArgumentOutOfRangeException(nameof(resource), resource, null),
    };
}
