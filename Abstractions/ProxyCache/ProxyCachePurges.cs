namespace Turnpike.ProxyCache;

/// <summary>
/// The purges after an edge's cursor. <see cref="Epoch"/> names the log's life (it starts afresh when its grain is
/// reactivated); <see cref="Gap"/> says purges were missed (an older epoch or a cursor behind what the log still
/// holds), and the edge then drops everything.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ProxyCachePurges([property: Id(0)] Guid Epoch, [property: Id(1)] long Last, [property: Id(2)] bool Gap, [property: Id(3)] ProxyCachePurge[] Purges);
