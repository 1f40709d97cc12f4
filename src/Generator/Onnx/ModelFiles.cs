using System;
using System.IO;

namespace ModelGen.Onnx
{
    /// <summary>
    /// The only place the compiler touches the file system. The generator reads the model by path rather than through
    /// AdditionalText.GetText(), which decodes bytes as text and mangles them; external data files beside the model are
    /// read the same way. See docs/design.md, "How the generator gets the model's bytes".
    /// </summary>
    public static class ModelFiles
    {
#pragma warning disable RS1035 // File IO is deliberate: ONNX models are binary and may reference external data files.
        public static byte[] ReadAllBytes(string path) => File.ReadAllBytes(path);

        /// <summary>
        /// Resolves an external-data location against the model's folder. Returns null (and the reason) when the
        /// location is absolute, climbs out of the folder, or is a symbolic link.
        /// </summary>
        public static string? ResolveExternal(string modelPath, string location, out string reason)
        {
            reason = "";
            if (string.IsNullOrEmpty(location)) { reason = "empty location"; return null; }
            if (Path.IsPathRooted(location) || location.StartsWith("/", StringComparison.Ordinal) || location.StartsWith("\\", StringComparison.Ordinal) || location.Contains(":"))
            { reason = "absolute path"; return null; }
            string folder = Path.GetFullPath(Path.GetDirectoryName(Path.GetFullPath(modelPath)) ?? ".");
            string full = Path.GetFullPath(Path.Combine(folder, location));
            string prefix = folder.EndsWith(Path.DirectorySeparatorChar.ToString(), StringComparison.Ordinal) ? folder : folder + Path.DirectorySeparatorChar;
            if (!full.StartsWith(prefix, StringComparison.Ordinal)) { reason = "outside the model's folder"; return null; }
            // Walk every component below the folder: none may be a link.
            string probe = full;
            while (probe.Length > prefix.Length)
            {
                if ((File.Exists(probe) || Directory.Exists(probe)) && (File.GetAttributes(probe) & FileAttributes.ReparsePoint) != 0)
                { reason = "symbolic link"; return null; }
                probe = Path.GetDirectoryName(probe) ?? "";
            }
            return full;
        }

        public static byte[] ReadRange(string path, long offset, long length)
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (length < 0) length = stream.Length - offset;
            if (offset < 0 || offset + length > stream.Length)
                throw new IOException($"range {offset}+{length} is outside the file's {stream.Length} bytes");
            stream.Position = offset;
            var buffer = new byte[length];
            int read = 0;
            while (read < length)
            {
                int n = stream.Read(buffer, read, (int)(length - read));
                if (n == 0) throw new EndOfStreamException();
                read += n;
            }
            return buffer;
        }
#pragma warning restore RS1035
    }
}
