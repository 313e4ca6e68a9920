using System.Net;
using System.Net.Sockets;

namespace Turnpike.Tests.Infrastructure;

/// <summary>Loopback ports that were free a moment ago; each is handed out once per test run.</summary>
internal static class FreePorts
{
    private static readonly HashSet<int> Given = [];

    public static int Next()
    {
        lock (Given)
        {
            while (true)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                listener.Stop();
                if (Given.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
