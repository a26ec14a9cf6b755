using System.Globalization;
using System.Numerics;

namespace Portal.Core;

/// <summary>
/// Picks the resource of the right plural form: "Key.One", "Key.Few" or "Key.Many". Russian has three forms
/// (1 адрес, 2 адреса, 5 адресов); English uses One and Many (Few repeats Many in its resources). In Core because
/// its error messages count too (1 порт, 2 порта), and they pick their form in the reader's culture, not the writer's.
/// </summary>
public static class Plural
{
    public static string Key(string key, BigInteger count) => $"{key}.{Form(count, CultureInfo.CurrentUICulture)}";

    public static string Form(BigInteger count, CultureInfo culture)
    {
        var n = (int)(BigInteger.Abs(count) % 100);
        if (culture.TwoLetterISOLanguageName != "ru") return count == 1 ? "One" : "Many";
        var last = n % 10;
        return last == 1 && n != 11 ? "One"
            : last is >= 2 and <= 4 && n is < 12 or > 14 ? "Few"
            : "Many";
    }
}
