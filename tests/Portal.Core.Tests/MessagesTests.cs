using System.Collections;
using System.Globalization;
using System.Resources;
using Portal.Core.Errors;

namespace Portal.Core.Tests;

public class MessagesTests
{
    private static readonly ResourceManager Resources =
        new("Portal.Core.Resources.Messages", typeof(NeutronException).Assembly);

    [Fact]
    public void EveryMessageHasARussianTranslation()
    {
        var english = Keys(CultureInfo.InvariantCulture);
        var russian = Keys(CultureInfo.GetCultureInfo("ru"));

        Assert.Equal(english, russian);
    }

    [Theory]
    [InlineData(1, "Сеть «net» используется: X. Сначала удалите его.", "Network “net” cannot be deleted. There are one or more ports still in use on the network: X. Delete it first.")]
    [InlineData(2, "Сеть «net» используется: X. Сначала удалите их.", "Network “net” cannot be deleted. There are one or more ports still in use on the network: X. Delete these first.")]
    [InlineData(5, "Сеть «net» используется: X. Сначала удалите их.", "Network “net” cannot be deleted. There are one or more ports still in use on the network: X. Delete these first.")]
    [InlineData(21, "Сеть «net» используется: X. Сначала удалите его.", "Network “net” cannot be deleted. There are one or more ports still in use on the network: X. Delete these first.")]
    public void A_counted_message_agrees_with_its_count_in_each_language(int count, string russian, string english)
    {
        var e = NeutronErrors.NetworkInUse("net", "X", count);

        Assert.Equal(russian, e.Localize(CultureInfo.GetCultureInfo("ru-RU")));
        Assert.Equal(english, e.Localize(CultureInfo.GetCultureInfo("en-US")));
    }

    private static SortedSet<string> Keys(CultureInfo culture)
    {
        var set = Resources.GetResourceSet(culture, createIfNotExists: true, tryParents: false)
            ?? throw new InvalidOperationException($"No resources for '{culture.Name}'.");
        return new SortedSet<string>(set.Cast<DictionaryEntry>().Select(e => (string)e.Key));
    }
}
