using System.Globalization;
using Portal.Core.Errors;

namespace Portal.Data.Tests;

internal static class Errors
{
    public static readonly CultureInfo English = CultureInfo.GetCultureInfo("en-US");
    public static readonly CultureInfo Russian = CultureInfo.GetCultureInfo("ru-RU");

    /// <summary>Awaits a failure and checks its Neutron type, status, and that both languages name <paramref name="mentions"/>.</summary>
    public static async Task<NeutronException> ExpectAsync(Func<Task> action, string type, int status, params string[] mentions)
    {
        var e = await Assert.ThrowsAsync<NeutronException>(action);
        Assert.Equal(type, e.Type);
        Assert.Equal(status, e.StatusCode);
        var en = e.Localize(English);
        var ru = e.Localize(Russian);
        Assert.NotEqual(en, ru);
        foreach (var m in mentions)
        {
            // A quoted name reads «main» in Russian and “main” in English.
            Assert.Contains(m.Replace('«', '“').Replace('»', '”'), en);
            Assert.Contains(m, ru);
        }
        return e;
    }
}
