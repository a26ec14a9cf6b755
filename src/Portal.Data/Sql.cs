namespace Portal.Data;

internal static class Sql
{
    /// <summary>Escapes LIKE wildcards so a user's filter text matches literally (escape character: backslash).</summary>
    public static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");
}
