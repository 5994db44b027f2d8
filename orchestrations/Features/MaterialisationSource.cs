using Azure;
using Serverless.Core.Errors;
using Serverless.Core.Features;
using Serverless.Core.Storage;
using Serverless.Orchestrations.BatchScoring;

namespace Serverless.Orchestrations.Features;

/// <summary>
/// What the start and the plan of a file's materialisation check about <see cref="MaterialisationRequest.Source"/>: a blob in a data
/// container (<see cref="DataPath"/>: no other container, no URL, no <c>..</c> or empty segment), its format, that it exists, that it
/// fits <see cref="PlanMaterialisationActivity.MaxChunks"/> chunks, and that a CSV header names the set's key column(s),
/// <c>event_time</c> and only the set's columns. BadRequest naming the field otherwise. Stateless; thread-safe.
/// </summary>
public static class MaterialisationSource
{
    public const string Field = "source";

    /// <summary>The most bytes one chunk reads (a chunk of <see cref="MaterialisationRequest.ChunkRows"/> long rows is cut smaller).</summary>
    public const long MaxChunkBytes = 16L * 1024 * 1024;

    /// <summary>The file's size, layout (header, data start, bytes per chunk) and format.</summary>
    public static async Task<(long Size, ChunkLayout Layout, string Format)> LayoutAsync(InputBlobReader input, MaterialisationRequest request,
        FeatureSetDefinition set, CancellationToken cancellationToken)
    {
        var path = DataPath.Parse(request.Source, Field, input.Containers);
        string format;
        try
        {
            format = BatchFormats.Resolve(request.Format, path.Name);
        }
        catch (ServingException e)
        {
            throw ServingException.BadRequest($"'format': {e.Message}");
        }

        long size;
        try
        {
            size = (await input.Blob(request.Source!).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value.ContentLength;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw ServingException.BadRequest($"'{Field}' names blob {DataText.Quote(path.ToString())}, which does not exist.");
        }

        var sample = await input.ReadAsync(request.Source!, 0, (int)Math.Min(size, BatchChunking.SampleBytes), cancellationToken).ConfigureAwait(false);
        var layout = BatchChunking.Layout(sample, size, format, request.ChunkRows);
        layout = layout with { ChunkBytes = Math.Min(layout.ChunkBytes, MaxChunkBytes) };
        var chunks = layout.ChunkBytes == 0 ? 0 : (size - layout.DataStart + layout.ChunkBytes - 1) / layout.ChunkBytes;
        if (chunks > PlanMaterialisationActivity.MaxChunks)
        {
            throw ServingException.BadRequest(
                $"'{Field}' ({size} bytes) would be cut into {chunks} chunks; at most {PlanMaterialisationActivity.MaxChunks} are allowed: raise 'chunk_rows' or split the file.");
        }

        if (layout.Header is { } header)
        {
            CheckHeader(header, set);
        }

        return (size, layout, format);
    }

    /// <summary>BadRequest naming the column when a CSV header lacks a key column or <c>event_time</c>, or names a column the set does not have.</summary>
    public static void CheckHeader(string header, FeatureSetDefinition set)
    {
        var columns = header.Split(',').Select(c => c.Trim().Trim('"')).ToList();
        IReadOnlyList<string> known = [.. set.EntityKeys, FeatureSetJson.EventTimeColumn, .. set.Features.Select(f => f.Name)];
        foreach (var required in set.EntityKeys.Append(FeatureSetJson.EventTimeColumn))
        {
            if (!columns.Contains(required, StringComparer.Ordinal))
            {
                throw ServingException.BadRequest(
                    $"'{Field}': the CSV header has no column {DataText.Quote(required)}; every row of feature set '{set.Id}' needs its key column(s) and event_time.");
            }
        }

        foreach (var column in columns.Where(c => !known.Contains(c, StringComparer.Ordinal)))
        {
            throw ServingException.BadRequest(
                $"'{Field}': the CSV header's column {DataText.Quote(column)} is not a column of feature set '{set.Id}'; its columns are {DataText.List(known)}.");
        }
    }
}
