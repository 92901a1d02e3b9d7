using System;
using System.Collections.Generic;
using System.IO;
using System.Text.RegularExpressions;

namespace X64Emu.GuestTests;

/// <summary>
/// One guest program and its metadata, read from header comments of the C source (or, for the seed
/// programs we may not edit, from guest-programs/seeds.meta):
///   // x64emu-args: a "b c"      arguments for both runs
///   // x64emu-mask: REGEX        replaced by MASKED in both outputs (values that legitimately differ)
///   // x64emu-expect: FILE       X64Emu deliberately differs from Linux: compare with this file (next to the source)
///   // x64emu-skip: REASON       not run yet, reported as skipped with the reason
///   // x64emu-stderr             compare stderr too
///   // x64emu-emu-args: --x y      options for the emulator only
///   // x64emu-eager-args: a b      arguments for both runs in the --jit=eager variant (which compiles every
///                                block of every forked child: long fork-heavy runs get a shorter workload)
///   // x64emu-hugepages: 2M=N     the emulator gets --hugepages 2M=N (or 1G=N); Linux's side runs with the
///                                host's pool of that size set to N (as root; skipped otherwise) and restored after
/// </summary>
public sealed class GuestProgram
{
    public required string Name { get; init; }

    public required string Area { get; init; }

    public required string Source { get; init; }

    public List<string> Args { get; } = new();

    /// <summary>Arguments replacing <see cref="Args"/> in the --jit=eager runs, if any.</summary>
    public List<string>? EagerArgs { get; private set; }

    public List<Regex> Masks { get; } = new();

    public string? Expect { get; set; }

    public string? Skip { get; set; }

    /// <summary>Emulator options placed before the program.</summary>
    public List<string> EmuArgs { get; } = new();

    /// <summary>Size of the host's hugetlb pool for the native run, or -1 when the program needs none.</summary>
    public int HugePages { get; set; } = -1;

    /// <summary>Which pool <see cref="HugePages"/> sizes: "2M" or "1G".</summary>
    public string HugePageSize { get; set; } = "2M";

    public bool CompareStderr { get; set; }

    /// <summary>
    /// Extra native runs allowed when Linux's own output varies under load (a THP split that a transient
    /// reference makes fail): the emulated output must equal one of at most 1 + this many native runs.
    /// </summary>
    public int NativeRetries { get; set; }

    public string Binary(string libc) => Path.Combine(Repo.Build, libc, Area, Name);

    public override string ToString() => $"{Area}/{Name}";

    public static IEnumerable<GuestProgram> All()
    {
        foreach (string dir in Directory.GetDirectories(Repo.GuestPrograms))
        {
            string area = Path.GetFileName(dir);
            if (area == "build")
            {
                continue;
            }

            foreach (string src in Directory.GetFiles(dir))
            {
                if (!src.EndsWith(".c", StringComparison.Ordinal) && !src.EndsWith(".S", StringComparison.Ordinal))
                {
                    continue;
                }

                GuestProgram p = new() { Name = Path.GetFileNameWithoutExtension(src), Area = area, Source = src };
                p.ReadMetadata(File.ReadAllLines(src));
                yield return p;
            }
        }

        string? seeds = Repo.SeedDir;
        if (seeds == null)
        {
            yield break;
        }

        Dictionary<string, List<string>> meta = new();
        string metaFile = Path.Combine(Repo.GuestPrograms, "seeds.meta");
        if (File.Exists(metaFile))
        {
            foreach (string line in File.ReadAllLines(metaFile))
            {
                int colon = line.IndexOf(':');
                if (line.StartsWith('#') || colon < 0)
                {
                    continue;
                }

                string key = line.Substring(0, colon).Trim();
                if (!meta.TryGetValue(key, out List<string>? l))
                {
                    meta[key] = l = new List<string>();
                }

                l.Add("// " + line.Substring(colon + 1).Trim());
            }
        }

        foreach (string src in Directory.GetFiles(seeds, "*.c"))
        {
            string name = Path.GetFileNameWithoutExtension(src);
            GuestProgram p = new() { Name = name, Area = "seeds", Source = src };
            if (meta.TryGetValue(name, out List<string>? lines))
            {
                p.ReadMetadata(lines);
            }

            yield return p;
        }
    }

    private void ReadMetadata(IEnumerable<string> lines)
    {
        foreach (string raw in lines)
        {
            string line = raw.Trim();
            if (!line.StartsWith("// x64emu-", StringComparison.Ordinal))
            {
                continue;
            }

            string body = line.Substring(10);
            int colon = body.IndexOf(':');
            string key = colon < 0 ? body.Trim() : body.Substring(0, colon).Trim();
            string value = colon < 0 ? string.Empty : body.Substring(colon + 1).Trim();
            switch (key)
            {
                case "args":
                    Args.AddRange(SplitArgs(value));
                    break;
                case "mask":
                    Masks.Add(new Regex(value, RegexOptions.Multiline));
                    break;
                case "expect":
                    Expect = value;
                    break;
                case "skip":
                    Skip = value;
                    break;
                case "stderr":
                    CompareStderr = true;
                    break;
                case "native-retries":
                    NativeRetries = int.Parse(value.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "eager-args":
                    EagerArgs = new List<string>(SplitArgs(value));
                    break;
                case "emu-args":
                    EmuArgs.AddRange(SplitArgs(value));
                    break;
                case "hugepages":
                    HugePages = int.Parse(value.Substring(value.IndexOf('=') + 1), System.Globalization.CultureInfo.InvariantCulture);
                    HugePageSize = value.Substring(0, value.IndexOf('='));
                    EmuArgs.Add("--hugepages");
                    EmuArgs.Add(value);
                    break;
            }
        }
    }

    private static IEnumerable<string> SplitArgs(string s)
    {
        foreach (Match m in Regex.Matches(s, "\"([^\"]*)\"|(\\S+)"))
        {
            yield return m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
        }
    }

    /// <summary>Hex addresses, then the program's own masks.</summary>
    public string Normalize(string output)
    {
        string s = Regex.Replace(output, "0x[0-9a-fA-F]+", "0xADDR");
        foreach (Regex r in Masks)
        {
            s = r.Replace(s, "MASKED");
        }

        return s;
    }
}
