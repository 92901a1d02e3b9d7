using System;
using System.Collections.Generic;
using System.Globalization;
using X64Emu.Linux;

namespace X64Emu.Cli;

/// <summary>Command-line options: <c>x64emu [OPTIONS] PROG [ARGS...]</c>.</summary>
public sealed class CliOptions
{
    public const string Usage =
        "Usage: x64emu [OPTIONS] PROG [ARGS...]\n" +
        "Run an x86-64 Linux program inside X64Emu's emulated CPU and memory-management layer.\n" +
        "\n" +
        "Options:\n" +
        "  --strace                print every syscall in strace's format on stderr\n" +
        "  --trace-faults          print every page fault and how it was resolved\n" +
        "  --stats                 print fault, TLB and syscall counters at exit\n" +
        "  --mem SIZE              emulated RAM (default 4G; K, M, G suffixes)\n" +
        "  --root DIR              guest root directory (default /: host paths pass through)\n" +
        "  --wx=on|off|locked      W^X policy (default on; locked: the guest cannot turn it off)\n" +
        "  --linux-quirks          reproduce Linux's partial effects of failed mm calls\n" +
        "  --hugepages 2M=N,1G=M   size the hugetlb pools\n" +
        "  --ksm                   start the KSM scanner (/sys/kernel/mm/ksm/run = 1)\n" +
        "  --jit=on|off|eager      compile hot code to IL (default on); off: interpreter only;\n" +
        "                          eager: compile every block before it first runs (for testing)\n" +
        "  --jit-threshold N       block executions before the JIT compiles it (default 2000)\n" +
        "  --overcommit MODE       vm.overcommit_memory: 0 heuristic, 1 always, 2 strict\n" +
        "  --cap CAP               give the guest a capability (CAP_SYS_RAWIO, CAP_IPC_LOCK, CAP_SYS_ADMIN)\n" +
        "  --help                  show this help\n" +
        "  --version               show the version\n" +
        "\n" +
        "Exit status: the guest's; 128+N when signal N killed it; 127 when PROG is missing;\n" +
        "126 when it cannot be executed; 2 for a bad command line; 70 for an internal error.\n";

    public KernelOptions Kernel { get; } = new();

    public string Program { get; private set; } = string.Empty;

    public List<string> Arguments { get; } = new();

    /// <summary>Parses; returns null with <paramref name="error"/> set on a bad command line, or null without error after --help/--version.</summary>
    public static CliOptions? Parse(string[] args, out string? error)
    {
        error = null;
        CliOptions o = new();
        int i = 0;
        for (; i < args.Length; i++)
        {
            string a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal))
            {
                break;
            }

            if (a == "--")
            {
                i++;
                break;
            }

            string name = a;
            string? value = null;
            int eq = a.IndexOf('=');
            if (eq > 0)
            {
                name = a.Substring(0, eq);
                value = a.Substring(eq + 1);
            }

            string Next()
            {
                if (value != null)
                {
                    return value;
                }

                if (i + 1 >= args.Length)
                {
                    throw new FormatException($"option {name} needs a value");
                }

                return args[++i];
            }

            switch (name)
            {
                case "--help":
                    Console.Out.Write(Usage);
                    return null;
                case "--version":
                    Console.Out.WriteLine($"x64emu {typeof(CliOptions).Assembly.GetName().Version}");
                    return null;
                case "--strace":
                    o.Kernel.Strace = true;
                    break;
                case "--trace-faults":
                    o.Kernel.TraceFaults = true;
                    break;
                case "--stats":
                    o.Kernel.Stats = true;
                    break;
                case "--linux-quirks":
                    o.Kernel.LinuxQuirks = true;
                    break;
                case "--ksm":
                    o.Kernel.KsmRun = true;
                    break;
                case "--mem":
                    o.Kernel.MemoryBytes = ParseSize(Next(), "--mem");
                    if (o.Kernel.MemoryBytes < (16UL << 20) || o.Kernel.MemoryBytes > (1UL << 40))
                    {
                        throw new FormatException("--mem must be between 16M and 1T");
                    }

                    break;
                case "--root":
                    o.Kernel.Root = Next();
                    if (!System.IO.Directory.Exists(o.Kernel.Root))
                    {
                        throw new FormatException($"--root {o.Kernel.Root}: no such directory");
                    }

                    break;
                case "--wx":
                    string wx = Next();
                    o.Kernel.WxEnforced = wx != "off";
                    o.Kernel.WxLocked = wx == "locked";
                    if (wx is not ("on" or "off" or "locked"))
                    {
                        throw new FormatException($"--wx must be on, off or locked, not '{wx}'");
                    }

                    break;
                case "--jit":
                    string jit = Next();
                    o.Kernel.Jit = jit switch
                    {
                        "on" => X64Emu.Cpu.Jit.JitMode.On,
                        "off" => X64Emu.Cpu.Jit.JitMode.Off,
                        "eager" => X64Emu.Cpu.Jit.JitMode.Eager,
                        _ => throw new FormatException($"--jit must be on, off or eager, not '{jit}'"),
                    };
                    break;
                case "--jit-threshold":
                    string threshold = Next();
                    if (!int.TryParse(threshold, NumberStyles.None, CultureInfo.InvariantCulture, out int t) || t < 1 || t > 1_000_000_000)
                    {
                        throw new FormatException($"--jit-threshold must be a number from 1 to 1000000000, not '{threshold}'");
                    }

                    o.Kernel.JitThreshold = t;
                    break;
                case "--overcommit":
                    string mode = Next();
                    if (mode is not ("0" or "1" or "2"))
                    {
                        throw new FormatException($"--overcommit must be 0, 1 or 2, not '{mode}'");
                    }

                    o.Kernel.Overcommit = int.Parse(mode, CultureInfo.InvariantCulture);
                    break;
                case "--hugepages":
                    foreach (string part in Next().Split(','))
                    {
                        string[] kv = part.Split('=');
                        if (kv.Length != 2 || !long.TryParse(kv[1], NumberStyles.None, CultureInfo.InvariantCulture, out long count))
                        {
                            throw new FormatException($"--hugepages wants SIZE=COUNT pairs like 2M=64,1G=1, not '{part}'");
                        }

                        ulong size = ParseSize(kv[0], "--hugepages");
                        if (size != (2UL << 20) && size != (1UL << 30))
                        {
                            throw new FormatException($"--hugepages: huge pages are 2M or 1G, not {kv[0]}");
                        }

                        o.Kernel.HugePages[size] = count;
                    }

                    break;
                case "--cap":
                    string cap = Next().ToUpperInvariant();
                    if (!cap.StartsWith("CAP_", StringComparison.Ordinal))
                    {
                        cap = "CAP_" + cap;
                    }

                    o.Kernel.Capabilities.Add(cap);
                    break;
                default:
                    error = $"unknown option '{a}'";
                    return null;
            }
        }

        if (i >= args.Length)
        {
            error = "no program given";
            return null;
        }

        o.Program = args[i];
        o.Arguments.AddRange(args.AsSpan(i));
        return o;
    }

    /// <summary>"4G", "512M", "65536" → bytes.</summary>
    public static ulong ParseSize(string s, string option)
    {
        ulong mult = 1;
        string digits = s;
        if (s.Length > 0)
        {
            char u = char.ToUpperInvariant(s[^1]);
            mult = u switch { 'K' => 1UL << 10, 'M' => 1UL << 20, 'G' => 1UL << 30, 'T' => 1UL << 40, _ => 1 };
            if (mult != 1)
            {
                digits = s.Substring(0, s.Length - 1);
            }
        }

        if (!ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out ulong n) || n == 0 || n > ulong.MaxValue / mult)
        {
            throw new FormatException($"{option}: '{s}' is not a size (use e.g. 512M or 4G)");
        }

        return n * mult;
    }
}
