namespace System.Runtime.CompilerServices
{
    // Polyfill so records and init-only setters compile on netstandard2.0.
    internal static class IsExternalInit { }
}
