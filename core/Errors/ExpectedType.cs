using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Serverless.Core.Errors;

/// <summary>
/// What a .NET type accepts, in the words of a JSON body: "a string", "an integer", "an array of numbers", "an
/// object". <see cref="Integer"/> holds an integer type's range, which a message adds when the number sent is whole
/// but does not fit. Immutable.
/// </summary>
internal sealed record ExpectedType(string Text, (string Min, string Max)? Integer = null)
{
    public static ExpectedType Of(Type type, JsonSerializerOptions options)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (IntegerRange(type) is { } range)
        {
            return new ExpectedType("an integer", range);
        }

        if (Simple(type, plural: false) is { } simple)
        {
            return new ExpectedType(simple);
        }

        var info = options.GetTypeInfo(type);
        return info.Kind switch
        {
            JsonTypeInfoKind.Enumerable => new ExpectedType(info.ElementType is { } element && Plural(element, options) is { } items ? $"an array of {items}" : "an array"),
            JsonTypeInfoKind.Dictionary => new ExpectedType(info.ElementType is { } value && Plural(value, options) is { } values ? $"an object of {values}" : "an object"),
            JsonTypeInfoKind.Object => new ExpectedType("an object"),
            _ => new ExpectedType("a value of another type"),
        };
    }

    private static string? Plural(Type type, JsonSerializerOptions options)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (IntegerRange(type) is not null)
        {
            return "integers";
        }

        if (Simple(type, plural: true) is { } simple)
        {
            return simple;
        }

        return options.GetTypeInfo(type).Kind switch
        {
            JsonTypeInfoKind.Enumerable => "arrays",
            JsonTypeInfoKind.Dictionary or JsonTypeInfoKind.Object => "objects",
            _ => null,
        };
    }

    private static string? Simple(Type type, bool plural) => type switch
    {
        _ when type == typeof(string) => plural ? "strings" : "a string",
        _ when type == typeof(bool) => plural ? "booleans (true or false)" : "true or false",
        _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => plural ? "numbers" : "a number",
        _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => plural ? "dates (ISO 8601 strings)" : "a date and time (an ISO 8601 string such as 2025-01-31T12:00:00Z)",
        _ when type == typeof(Guid) => plural ? "GUIDs" : "a GUID",
        _ when type == typeof(JsonElement) || type == typeof(object) => plural ? "values" : "a JSON value",
        _ => null,
    };

    private static (string, string)? IntegerRange(Type type) => type switch
    {
        _ when type == typeof(int) => Range(int.MinValue, int.MaxValue),
        _ when type == typeof(long) => Range(long.MinValue, long.MaxValue),
        _ when type == typeof(short) => Range(short.MinValue, short.MaxValue),
        _ when type == typeof(byte) => Range(byte.MinValue, byte.MaxValue),
        _ when type == typeof(uint) => Range(uint.MinValue, uint.MaxValue),
        _ when type == typeof(ulong) => Range(ulong.MinValue, ulong.MaxValue),
        _ => null,
    };

    private static (string, string) Range<T>(T min, T max)
        where T : IFormattable => (min.ToString(null, CultureInfo.InvariantCulture), max.ToString(null, CultureInfo.InvariantCulture));
}
