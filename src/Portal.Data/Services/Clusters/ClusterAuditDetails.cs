using System.Text.Json;

namespace Portal.Data.Services;

/// <summary>
/// What a cluster's creation entry in the trail says, stored as data rather than words: the entry is written once
/// and read in Russian and in English, so the console puts it into the reader's language when it shows it.
/// </summary>
public sealed record ClusterAuditDetails(string Version, int Masters, int Workers, string Network, string Cidr, bool AutoNetwork, bool ExternalIp)
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    /// <summary>The details of a <c>cluster.create</c> entry, or null for one written before they were data.</summary>
    public static ClusterAuditDetails? Parse(string details)
    {
        try
        {
            return JsonSerializer.Deserialize<ClusterAuditDetails>(details, Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
