using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Serverless.Core.Monitoring.Alerts;

/// <summary>
/// Which webhook URLs the monitor may post to: absolute https URLs without credentials in them, or http to a
/// loopback host (<c>localhost</c>, 127.0.0.0/8, ::1) for local tools. Checked at start-up
/// (<see cref="WebhookUrlAttribute"/>) and again before each post (<see cref="WebhookAlertSender"/>). Problems name
/// the scheme and host but never echo the path or query, which often carry the webhook's secret. Pure; thread-safe.
/// </summary>
public static class WebhookUrls
{
    /// <summary>Null when <paramref name="value"/> is empty (no webhook) or allowed; otherwise what is wrong, as the end of a sentence about the setting.</summary>
    public static string? Problem(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.IsFile || uri.IsUnc || string.IsNullOrEmpty(uri.Host))
        {
            return "must be an absolute https:// URL";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "must not carry credentials before the host (user:password@)";
        }

        if (uri.Scheme == Uri.UriSchemeHttps)
        {
            return null;
        }

        if (uri.Scheme == Uri.UriSchemeHttp)
        {
            return IsLoopback(uri) ? null : $"must use https:// (http:// only for localhost, 127.0.0.0/8 or ::1), and '{Shown(uri.Host)}' is not a loopback host";
        }

        return $"must be an https:// URL, not {Shown(uri.Scheme)}:";
    }

    /// <summary>True for <c>localhost</c> and loopback IP addresses (127.0.0.0/8, ::1, and IPv4-mapped 127.x).</summary>
    public static bool IsLoopback(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (string.Equals(uri.IdnHost, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(uri.DnsSafeHost, out var address) && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
    }

    private static string Shown(string text) => text.Length <= 40 ? text : text[..39] + "…";
}

/// <summary>Validates <see cref="MonitoringOptions.WebhookUrl"/> with <see cref="WebhookUrls.Problem"/>; the message names the setting.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class WebhookUrlAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        WebhookUrls.Problem(value as string) is { } problem
            ? new ValidationResult($"{MonitoringOptions.SectionName}:{validationContext.MemberName} {problem}.", validationContext.MemberName is { } member ? [member] : null)
            : ValidationResult.Success;
}
