using System.Numerics;

namespace Turnpike.Edge.Ai.SemanticCache;

/// <summary>
/// The arithmetic of the semantic cache: checking what an embeddings model returned, and the distance between two
/// vectors. Vectors for the cosine metric are stored normalised, so a distance is one dot product.
/// </summary>
internal static class SemanticVectors
{
    /// <summary>
    /// The vector to index for <paramref name="raw"/>, or why it cannot be: not the configured length, a component
    /// that is not a finite number (an overflowing float reads as infinity), or, for cosine, no direction at all.
    /// </summary>
    public static (float[]? Vector, string? Problem) Prepare(float[] raw, int dimensions, DistanceMetric metric)
    {
        if (raw.Length != dimensions)
        {
            return (null, $"the embeddings model returned {raw.Length} dimensions, not the configured {dimensions}");
        }

        double sum = 0;
        foreach (var value in raw)
        {
            if (!float.IsFinite(value))
            {
                return (null, "the embeddings model returned a value that is not a finite number");
            }

            sum += (double)value * value;
        }

        if (metric == DistanceMetric.Euclidean)
        {
            return double.IsFinite(sum) ? (raw, null) : (null, "the embeddings model returned a vector too large to measure");
        }

        if (sum == 0 || !double.IsFinite(sum))
        {
            return (null, "the embeddings model returned a vector without a direction");
        }

        var norm = (float)Math.Sqrt(sum);
        var vector = new float[raw.Length];
        for (var i = 0; i < raw.Length; i++)
        {
            vector[i] = raw[i] / norm;
        }

        return (vector, null);
    }

    /// <summary>The distance between two prepared vectors of the same length.</summary>
    public static double Distance(ReadOnlySpan<float> a, ReadOnlySpan<float> b, DistanceMetric metric) => metric == DistanceMetric.Cosine
        ? Math.Max(0, 1 - Dot(a, b))
        : Math.Sqrt(SquaredDistance(a, b));

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var i = 0;
        var sum = Vector<float>.Zero;
        for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            sum += new Vector<float>(a[i..]) * new Vector<float>(b[i..]);
        }

        double total = Vector.Sum(sum);
        for (; i < a.Length; i++)
        {
            total += a[i] * b[i];
        }

        return total;
    }

    private static double SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double total = 0;
        for (var i = 0; i < a.Length; i++)
        {
            double d = a[i] - b[i];
            total += d * d;
        }

        return total;
    }
}
