namespace Turnpike.Edge.Hosting;

/// <summary>Which of the edge's listeners a connection came in on; each has its own pipeline.</summary>
internal enum ListenerKind
{
    Proxy,
    Admin,
    Status,
}
