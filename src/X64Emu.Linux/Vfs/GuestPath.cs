using System.Collections.Generic;
using System.Text;

namespace X64Emu.Linux.Vfs;

/// <summary>Guest path helpers: absolute forms, lexical normalisation (for matching /proc and /sys), basename.</summary>
public static class GuestPath
{
    /// <summary>Joins a relative path to a directory; absolute paths are returned unchanged.</summary>
    public static string Absolute(string cwd, string path)
    {
        if (path.StartsWith('/'))
        {
            return path;
        }

        return cwd.EndsWith('/') ? cwd + path : cwd + "/" + path;
    }

    /// <summary>Removes ".", "..", and repeated slashes lexically ("/proc/./self/../1" → "/proc/1").</summary>
    public static string Normalize(string abs)
    {
        List<string> parts = new();
        foreach (string part in abs.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }

                continue;
            }

            parts.Add(part);
        }

        StringBuilder sb = new();
        foreach (string p in parts)
        {
            sb.Append('/').Append(p);
        }

        return sb.Length == 0 ? "/" : sb.ToString();
    }

    public static string BaseName(string path)
    {
        string p = path.TrimEnd('/');
        int i = p.LastIndexOf('/');
        return i >= 0 ? p.Substring(i + 1) : p;
    }
}
