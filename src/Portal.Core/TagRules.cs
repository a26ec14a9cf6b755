using Portal.Core.Errors;

namespace Portal.Core;

/// <summary>Neutron's tags (standard-attr-tag): short strings on a network, subnet or port, each at most once.</summary>
public static class TagRules
{
    /// <summary>Neutron's MAX_TAG_LEN.</summary>
    public const int MaxTagLength = 255;

    /// <summary>Tags per resource: Neutron sets none; a bound keeps a body from multiplying work.</summary>
    public const int MaxTags = 64;

    public static string CheckTag(string? tag)
    {
        var text = tag?.Trim() ?? "";
        if (text.Length == 0) throw NeutronErrors.InvalidInput("TagEmpty", "tags");
        if (text.Length > MaxTagLength) throw NeutronErrors.InvalidInput("TagTooLong", "tags", MaxTagLength);
        if (text.Contains(',')) throw NeutronErrors.InvalidInput("TagComma", "tags", text);
        return text;
    }

    /// <summary>A resource's whole set of tags: each checked, repeats dropped, the order kept.</summary>
    public static IReadOnlyList<string> CheckTags(IReadOnlyCollection<string?> tags)
    {
        Ip.SubnetRules.CheckCount(tags.Count, MaxTags, "TagsTooMany", "tags");
        return tags.Select(CheckTag).Distinct(StringComparer.Ordinal).ToList();
    }
}
