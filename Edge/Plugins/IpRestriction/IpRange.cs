using System.Net;
using System.Net.Sockets;

namespace Turnpike.Edge.Plugins.IpRestriction;

/// <summary>An IPv4 or IPv6 address or CIDR block (<c>10.0.0.0/8</c>, <c>2001:db8::/32</c>, <c>127.0.0.1</c>).</summary>
internal sealed class IpRange
{
    private readonly byte[] _network;
    private readonly int _prefixLength;

    private IpRange(byte[] network, int prefixLength)
    {
        _network = network;
        _prefixLength = prefixLength;
    }

    /// <summary>Parses an address or CIDR; null with a Kong-worded reason when it is neither.</summary>
    public static (IpRange? Range, string? Error) Parse(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addressText, out var address) || addressText.Contains('%', StringComparison.Ordinal))
        {
            return (null, $"invalid ip or cidr range: '{text}'");
        }

        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = bits;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out prefix) || prefix > bits))
        {
            return (null, $"invalid ip or cidr range: '{text}'");
        }

        return (new IpRange(Masked(address.GetAddressBytes(), prefix), prefix), null);
    }

    public bool Contains(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var bytes = address.GetAddressBytes();
        return bytes.Length == _network.Length && Masked(bytes, _prefixLength).AsSpan().SequenceEqual(_network);
    }

    private static byte[] Masked(byte[] bytes, int prefix)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        return bytes;
    }
}
