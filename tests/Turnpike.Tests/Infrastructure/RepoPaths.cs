namespace Turnpike.Tests.Infrastructure;

/// <summary>Where the built Edge and Silo programs are, relative to this test assembly (same build configuration).</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Configuration { get; } = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;

    public static string EdgeDll => Path.Combine(Root, "Edge", "bin", Configuration, "net10.0", "Turnpike.Edge.dll");

    public static string SiloDll => Path.Combine(Root, "Silo", "bin", Configuration, "net10.0", "Turnpike.Silo.dll");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Cluster.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Cluster.sln not found above " + AppContext.BaseDirectory);
    }
}
