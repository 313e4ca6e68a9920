namespace Turnpike.Cluster;

/// <summary>The relational database of <c>AdoNet</c> clustering and storage (section <c>Turnpike:Cluster:AdoNet</c>).</summary>
public sealed class AdoNetOptions
{
    /// <summary>The ADO.NET provider; <c>Npgsql</c> (PostgreSQL) is the one this build carries and infra/postgres/ has a schema for.</summary>
    public string Invariant { get; set; } = "Npgsql";

    public string ConnectionString { get; set; } = "";
}
