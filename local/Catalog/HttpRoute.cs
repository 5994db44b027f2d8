using Microsoft.Azure.Functions.Worker;

namespace Serverless.Local.Catalog;

/// <summary>An HTTP function's route as the host serves it: methods (upper case, empty for any) and template.</summary>
public sealed record HttpRoute(string FunctionName, IReadOnlyList<string> Methods, string Template, AuthorizationLevel AuthLevel)
{
    public string Describe(string baseUrl, string routePrefix) =>
        $"[{(Methods.Count == 0 ? "ANY" : string.Join(",", Methods))}] {baseUrl.TrimEnd('/')}/{JoinPath(routePrefix, Template)}";

    public static string JoinPath(string prefix, string template)
    {
        prefix = prefix.Trim('/');
        template = template.Trim('/');
        return prefix.Length == 0 ? template : template.Length == 0 ? prefix : $"{prefix}/{template}";
    }
}
