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

    private static SortedSet<string> Keys(CultureInfo culture)
    {
        var set = Resources.GetResourceSet(culture, createIfNotExists: true, tryParents: false)
            ?? throw new InvalidOperationException($"No resources for '{culture.Name}'.");
        return new SortedSet<string>(set.Cast<DictionaryEntry>().Select(e => (string)e.Key));
    }
}
