using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Turnpike.Edge.Plugins.FileLog;

/// <summary>
/// Opens a log file so that every write lands at its end, whoever else writes it: two file-log plugins (or two edges)
/// given the same path append their lines rather than overwrite each other's. .NET's <see cref="FileMode.Append"/>
/// only seeks to the end once and then writes at its own position, so on Linux the file is opened with O_APPEND.
/// </summary>
internal static class AppendOnlyFile
{
    private const int WriteOnly = 0x1, Create = 0x40, Append = 0x400, CloseOnExec = 0x80000;
    private const int ReadWriteForOwnerReadForOthers = 0x1A4; // 0644, before the umask

    public static FileStream Open(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 4096, useAsync: true);
        }

        var descriptor = (nint)OpenDescriptor(Path.GetFullPath(path), WriteOnly | Create | Append | CloseOnExec, ReadWriteForOwnerReadForOthers);
        if (descriptor < 0)
        {
            var error = Marshal.GetLastPInvokeError();
            throw new IOException($"cannot open '{path}' for appending: {Marshal.GetPInvokeErrorMessage(error)}", error);
        }

        // No buffer: each batch is one write, and with O_APPEND a write is placed at the end as one piece.
        return new FileStream(new SafeFileHandle(descriptor, ownsHandle: true), FileAccess.Write, bufferSize: 0);
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int OpenDescriptor([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);
}
