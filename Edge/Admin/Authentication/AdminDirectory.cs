using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Security.Cryptography;

namespace Turnpike.Edge.Admin.Authentication;

/// <summary>
/// This edge's copy of the admins, for checking tokens without a call to the cluster. Immutable; a table version
/// that changes admins derives a new directory (<see cref="Apply"/>), others keep this one, and with it the
/// cache of tokens already verified. A rotated or deleted admin's token stops working with the version that
/// removes it, because that version brings a new directory with an empty cache.
/// </summary>
internal sealed class AdminDirectory
{
    public static readonly AdminDirectory Empty = new(ImmutableDictionary<Guid, Entry>.Empty);

    private readonly ImmutableDictionary<Guid, Entry> _admins;

    // SHA-256(token) → admin, for tokens that matched. Only matches are kept, so it holds at most one entry per
    // admin and a client trying random tokens cannot grow it.
    private readonly ConcurrentDictionary<string, AdminEntity> _verified = new(StringComparer.Ordinal);

    private AdminDirectory(ImmutableDictionary<Guid, Entry> admins)
    {
        _admins = admins;
    }

    public int Count => _admins.Count;

    /// <summary>The admin whose token this is, or null. Every admin's hash is computed and compared in fixed time.</summary>
    public AdminEntity? Verify(string token)
    {
        if (_admins.IsEmpty || !AdminToken.IsWellFormed(token))
        {
            return null;
        }

        var fingerprint = Convert.ToBase64String(AdminToken.Fingerprint(token));
        if (_verified.TryGetValue(fingerprint, out var known))
        {
            return known;
        }

        // No early exit: the time taken does not tell which admin, if any, matched.
        AdminEntity? found = null;
        foreach (var entry in _admins.Values)
        {
            if (CryptographicOperations.FixedTimeEquals(AdminToken.Hash(entry.Salt, token), entry.Hash))
            {
                found = entry.Admin;
            }
        }

        if (found is not null)
        {
            _verified.TryAdd(fingerprint, found);
        }

        return found;
    }

    /// <summary>This directory with a table change applied; itself when the change touches no admin.</summary>
    public AdminDirectory Apply(bool full, IReadOnlyCollection<GatewayEntity> upserts, IReadOnlyCollection<EntityRef> deletes)
    {
        if (!full && !upserts.Any(e => e is AdminEntity) && !deletes.Any(d => d.Kind == EntityKind.Admin))
        {
            return this;
        }

        var admins = (full ? Empty._admins : _admins).ToBuilder();
        foreach (var deleted in deletes.Where(d => d.Kind == EntityKind.Admin))
        {
            admins.Remove(deleted.Id);
        }

        foreach (var admin in upserts.OfType<AdminEntity>())
        {
            if (Entry.TryCreate(admin) is { } entry)
            {
                admins[admin.Id] = entry;
            }
            else
            {
                admins.Remove(admin.Id); // a record that cannot be checked grants nothing
            }
        }

        return new AdminDirectory(admins.ToImmutable());
    }

    private sealed record Entry(AdminEntity Admin, byte[] Salt, byte[] Hash)
    {
        public static Entry? TryCreate(AdminEntity admin)
        {
            try
            {
                var hash = Convert.FromHexString(admin.TokenHash);
                return hash.Length == SHA256.HashSizeInBytes ? new Entry(admin, Convert.FromHexString(admin.TokenSalt), hash) : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }
    }
}
