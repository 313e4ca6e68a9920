namespace Turnpike;

/// <summary>Names of the grain storage providers the silo must register.</summary>
public static class GrainStorageNames
{
    public const string Default = "turnpike";
}
