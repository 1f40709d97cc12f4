namespace ModelGen.Compression
{
    /// <summary>
    /// SplitMix64: a tiny seeded generator whose sequence is fixed by this code (System.Random's is an implementation
    /// detail, and banned in analyzers as non-deterministic). Same seed, same numbers, on every runtime.
    /// </summary>
    public sealed class SeededRandom
    {
        private ulong _state;

        public SeededRandom(long seed) => _state = unchecked((ulong)seed);

        public ulong NextULong()
        {
            unchecked
            {
                ulong z = _state += 0x9E3779B97F4A7C15UL;
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
                return z ^ (z >> 31);
            }
        }

        /// <summary>Uniform in [0, 1).</summary>
        public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

        /// <summary>Uniform in [0, n).</summary>
        public int Next(int n) => (int)(NextULong() % (ulong)n);
    }
}
