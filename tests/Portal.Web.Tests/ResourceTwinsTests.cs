using System.Collections;
using System.Globalization;
using System.Resources;
using Portal.Core.Errors;

namespace Portal.Web.Tests;

/// <summary>
/// Every text the console shows, its own (Ui.resx) and its errors' (Core's Messages.resx), exists in both of its
/// languages: a key missing from one twin would show the other language's text, or the bare key, to half the users.
/// </summary>
public sealed class ResourceTwinsTests
{
    [Theory]
    [InlineData("Portal.Web.Resources.Ui", typeof(Ui))]
    [InlineData("Portal.Core.Resources.Messages", typeof(NeutronException))]
    public void The_russian_twin_has_the_same_keys(string baseName, Type ofAssembly)
    {
        var resources = new ResourceManager(baseName, ofAssembly.Assembly);
        var neutral = Keys(resources, CultureInfo.InvariantCulture);
        var russian = Keys(resources, CultureInfo.GetCultureInfo("ru"));

        var file = baseName[(baseName.LastIndexOf('.') + 1)..];
        var missing = neutral.Except(russian).Select(k => $"{k} (not in {file}.ru.resx)")
            .Concat(russian.Except(neutral).Select(k => $"{k} (not in {file}.resx)")).ToList();
        Assert.True(missing.Count == 0, $"Keys without their twin: {string.Join(", ", missing)}");
    }

    private static SortedSet<string> Keys(ResourceManager resources, CultureInfo culture)
    {
        var set = resources.GetResourceSet(culture, createIfNotExists: true, tryParents: false)
            ?? throw new InvalidOperationException($"No {culture.Name} resources named {resources.BaseName}.");
        return new SortedSet<string>(set.Cast<DictionaryEntry>().Select(e => (string)e.Key), StringComparer.Ordinal);
    }
}
