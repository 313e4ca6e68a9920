using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;

namespace Turnpike.Edge.RouteTable;

/// <summary>
/// A digest of the route table an edge holds (Kong's <c>configuration_hash</c>): the sum of a hash of each entity's
/// content, so it does not depend on the order changes arrived in, and it is kept per change with work
/// proportional to the change. Two edges on the same version with the same digest hold the same table.
/// Used by one thread at a time (the sync loop).
/// </summary>
internal sealed class TableDigest
{
    private readonly Dictionary<EntityRef, UInt128> _hashes = [];
    private UInt128 _sum;

    /// <summary>32 hexadecimal digits, as Kong prints its configuration hash.</summary>
    public string Value => _sum.ToString("x32", System.Globalization.CultureInfo.InvariantCulture);

    public void Apply(bool full, IEnumerable<GatewayEntity> upserts, IEnumerable<EntityRef> deletes)
    {
        if (full)
        {
            _hashes.Clear();
            _sum = UInt128.Zero;
        }

        foreach (var deleted in deletes)
        {
            if (_hashes.Remove(deleted, out var old))
            {
                _sum -= old;
            }
        }

        foreach (var entity in upserts)
        {
            var key = new EntityRef(entity.Kind, entity.Id);
            if (_hashes.TryGetValue(key, out var old))
            {
                _sum -= old;
            }

            var hash = Hash(entity);
            _hashes[key] = hash;
            _sum += hash;
        }
    }

    private static UInt128 Hash(GatewayEntity entity)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(entity, entity.GetType()), digest);
        return BinaryPrimitives.ReadUInt128LittleEndian(digest);
    }
}
