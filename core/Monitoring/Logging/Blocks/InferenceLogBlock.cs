using Azure.Data.Tables;

namespace Serverless.Core.Monitoring.Logging.Blocks;

/// <summary>
/// One block to store: a Table entity of <see cref="Records"/> records of one partition (see
/// <see cref="InferenceLogBlockFormat"/>), for table <see cref="Table"/>. Written with an upsert, so writing it twice
/// is harmless.
/// </summary>
public sealed record InferenceLogBlock(string Table, TableEntity Entity, int Records);
