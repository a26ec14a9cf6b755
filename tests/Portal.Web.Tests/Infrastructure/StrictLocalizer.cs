using System.Collections.Concurrent;
using Microsoft.Extensions.Localization;

namespace Portal.Web.Tests.Infrastructure;

/// <summary>The resource names a test's components asked for that the resources do not have.</summary>
public sealed class MissingResources
{
    private readonly ConcurrentDictionary<string, bool> _names = new();

    public IReadOnlyCollection<string> Names => [.. _names.Keys.Order(StringComparer.Ordinal)];

    public void Add(string name) => _names.TryAdd(name, true);
}

/// <summary>
/// The app's localizer, which notes every name it cannot find: a missing one renders as the bare name (a page once
/// showed «Role.Master» in its nodes table), and <see cref="PortalTest"/> fails a test whose pages asked for one.
/// </summary>
public sealed class StrictLocalizer<T>(IStringLocalizerFactory factory, MissingResources missing) : IStringLocalizer<T>
{
    private readonly IStringLocalizer _inner = factory.Create(typeof(T));

    public LocalizedString this[string name] => Noted(_inner[name]);

    public LocalizedString this[string name, params object[] arguments] => Noted(_inner[name, arguments]);

    public IEnumerable<LocalizedString> GetAllStrings(bool includeParentCultures) => _inner.GetAllStrings(includeParentCultures);

    private LocalizedString Noted(LocalizedString text)
    {
        if (text.ResourceNotFound) missing.Add(text.Name);
        return text;
    }
}
