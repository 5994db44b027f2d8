using Serverless.Core.Models;

namespace Serverless.Core.Serving;

/// <summary>Creates a warm <see cref="LoadedModel"/> for a registered version (fetch, session, warm-up run).</summary>
public interface IModelLoader
{
    Task<LoadedModel> LoadAsync(ModelVersion version, CancellationToken cancellationToken);
}
