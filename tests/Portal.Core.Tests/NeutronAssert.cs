using System.Globalization;
using Portal.Core.Errors;

namespace Portal.Core.Tests;

/// <summary>Checks an error the way a user meets it: its Neutron type, HTTP status, field and text in both languages.</summary>
internal static class NeutronAssert
{
    public static readonly CultureInfo English = CultureInfo.GetCultureInfo("en-US");

    public static readonly CultureInfo Russian = CultureInfo.GetCultureInfo("ru-RU");

    public static NeutronException Throws(
        Action action, string type, int status, string? field, string[] english, string[] russian)
    {
        var ex = Assert.Throws<NeutronException>(action);
        Assert.Equal(type, ex.Type);
        Assert.Equal(status, ex.StatusCode);
        Assert.Equal(field, ex.Field);
        AssertText(ex.Localize(English), english);
        AssertText(ex.Localize(Russian), russian);
        Assert.NotEqual(ex.Localize(English), ex.Localize(Russian));
        return ex;
    }

    /// <summary>Splits "a|b" so table rows can list several fragments in one attribute argument.</summary>
    public static string[] Fragments(string fragments) => fragments.Split('|');

    private static void AssertText(string text, string[] fragments)
    {
        Assert.DoesNotContain("{", text);
        foreach (var fragment in fragments)
        {
            Assert.Contains(fragment, text);
        }
    }
}
