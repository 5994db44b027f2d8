namespace Serverless.Functions.OpenApi;

/// <summary>
/// Describes an HTTP function for the OpenAPI document, next to its route: a summary, the request body (a JSON record,
/// or a content type for raw bodies) and the error codes it can answer (from <see cref="Core.Errors.ErrorCodes"/>;
/// <c>internal_error</c> and <c>storage_unavailable</c> are added to every keyed route). Every HTTP function must have one.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ApiOperationAttribute : Attribute
{
    public ApiOperationAttribute(string summary)
    {
        Summary = summary;
    }

    public string Summary { get; }

    public string? Description { get; set; }

    /// <summary>The JSON body's record (serialised snake_case, unknown fields refused where the reader does so).</summary>
    public Type? Request { get; set; }

    /// <summary>A body that is not a JSON record, as its content type (application/octet-stream, text/csv); with <see cref="Request"/>, its content type.</summary>
    public string? RequestContentType { get; set; }

    /// <summary>
    /// Another content type the body may have, as raw bytes (the binary tensor extension's application/octet-stream);
    /// the description says how it is laid out.
    /// </summary>
    public string? AlternateRequestContentType { get; set; }

    /// <summary>Whether a body is required (an empty body is allowed where false).</summary>
    public bool RequestRequired { get; set; } = true;

    /// <summary>The error codes the route answers, besides the server faults every keyed route can answer.</summary>
    public string[] Errors { get; set; } = [];

    /// <summary>The errors' body: the app's (<see cref="Http.ApiError"/>) or, on MLflow's routes, MLflow's (<see cref="Http.MlflowError"/>, its codes and statuses).</summary>
    public Http.ErrorShape ErrorShape { get; set; } = Http.ErrorShape.Api;

    /// <summary>Whether the route only ever answers an error (a catch-all that names what is not there), so it declares no success answer.</summary>
    public bool AnswersOnlyErrors { get; set; }
}

/// <summary>A success answer of an HTTP function: its status, body record (none for an empty body) and headers it sets.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ApiResponseAttribute : Attribute
{
    public ApiResponseAttribute(int status, Type? body, string description)
    {
        Status = status;
        Body = body;
        Description = description;
    }

    public int Status { get; }

    public Type? Body { get; }

    public string Description { get; }

    /// <summary>The body's content type when it is not JSON (text/html).</summary>
    public string? ContentType { get; set; }

    /// <summary>Another content type the answer may have, as raw bytes (application/octet-stream when binary outputs follow the JSON).</summary>
    public string? AlternateContentType { get; set; }

    /// <summary>Response headers set, from <see cref="OpenApiDocumentBuilder.KnownHeaders"/>.</summary>
    public string[] Headers { get; set; } = [];
}

/// <summary>A query or header parameter of an HTTP function (route parameters come from the route itself).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ApiParameterAttribute : Attribute
{
    public ApiParameterAttribute(string name, ApiParameterLocation location, string description)
    {
        Name = name;
        Location = location;
        Description = description;
    }

    public string Name { get; }

    public ApiParameterLocation Location { get; }

    public string Description { get; }
}

/// <summary>Where a described parameter travels.</summary>
public enum ApiParameterLocation
{
    Query,
    Header,
}

/// <summary>
/// A property whose value is one of several records (an orchestration's custom status or output): the schema lists
/// them, taken from the static property <see cref="Property"/> of <see cref="Source"/>, which returns the types.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class ApiOneOfAttribute : Attribute
{
    public ApiOneOfAttribute(Type source, string property)
    {
        Source = source;
        Property = property;
    }

    public Type Source { get; }

    public string Property { get; }

    public IEnumerable<Type> Types() =>
        (IEnumerable<Type>)(Source.GetProperty(Property)?.GetValue(null)
            ?? throw new InvalidOperationException($"{Source.Name}.{Property} is not a static property listing types."));
}
