using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using X64Emu.Linux.Elf;
using Xunit;

namespace X64Emu.Linux.Tests.Elf;

public class InitialStackTests
{
    private const ulong Top = 0x7FFF_FFFF_F000UL;
    private const ulong StackLimit = 8UL << 20;
    private static readonly byte[] Random16 = Enumerable.Range(0xA0, 16).Select(i => (byte)i).ToArray();

    /// <summary>Reads the built image as guest memory.</summary>
    private sealed class View
    {
        private readonly InitialStack _s;

        public View(InitialStack s) => _s = s;

        public bool Contains(ulong va, ulong size) => va >= _s.Bottom && va + size <= _s.Bottom + (ulong)_s.Image.Length;

        public ulong U64(ulong va)
        {
            Assert.True(Contains(va, 8), $"0x{va:x} is outside the stack image");
            return BitConverter.ToUInt64(_s.Image, (int)(va - _s.Bottom));
        }

        public byte[] Bytes(ulong va, int size)
        {
            Assert.True(Contains(va, (ulong)size), $"0x{va:x}+{size} is outside the stack image");
            return _s.Image.AsSpan((int)(va - _s.Bottom), size).ToArray();
        }

        public string CString(ulong va)
        {
            Assert.True(Contains(va, 1), $"string at 0x{va:x} is outside the stack image");
            ReadOnlySpan<byte> rest = _s.Image.AsSpan((int)(va - _s.Bottom));
            int n = rest.IndexOf((byte)0);
            Assert.True(n >= 0, $"string at 0x{va:x} is not NUL-terminated");
            return Encoding.UTF8.GetString(rest.Slice(0, n));
        }
    }

    /// <summary>What the process sees at entry, decoded from RSP as a libc _start would.</summary>
    private sealed record Entry(ulong Argc, string[] Argv, string[] Envp, List<(ulong Type, ulong Value)> Auxv, ulong AuxvEnd);

    private static Entry Decode(InitialStack s)
    {
        View v = new(s);
        ulong q = s.Rsp;
        ulong argc = v.U64(q);
        q += 8;
        List<string> argv = new();
        for (ulong i = 0; i < argc; i++, q += 8)
        {
            argv.Add(v.CString(v.U64(q)));
        }

        Assert.Equal(0UL, v.U64(q)); // argv[argc] == NULL
        q += 8;
        List<string> envp = new();
        for (ulong p; (p = v.U64(q)) != 0; q += 8)
        {
            envp.Add(v.CString(p));
        }

        q += 8; // envp NULL
        List<(ulong, ulong)> auxv = new();
        while (true)
        {
            ulong t = v.U64(q);
            ulong val = v.U64(q + 8);
            auxv.Add((t, val));
            q += 16;
            if (t == (ulong)AuxvType.Null)
            {
                break;
            }
        }

        return new Entry(argc, argv.ToArray(), envp.ToArray(), auxv, q);
    }

    /// <summary>The auxv the ELF loader passes for a parsed executable (as Exec.LoadElf builds it).</summary>
    private static List<(AuxvType, ulong)> LoaderAuxv(ElfFile elf, ulong bias) => new()
    {
        (AuxvType.Pagesz, 4096),
        (AuxvType.Phdr, elf.PhdrVAddr!.Value + bias),
        (AuxvType.Phent, 56),
        (AuxvType.Phnum, elf.PhNum),
        (AuxvType.Base, 0),
        (AuxvType.Entry, elf.Entry + bias),
    };

    private static InitialStack BuildOk(string[] argv, string[] envp, string execFn = "/usr/bin/prog", IReadOnlyList<(AuxvType, ulong)>? auxv = null)
    {
        auxv ??= LoaderAuxv(ElfFile.Parse(ElfBuilder.StaticExec().Build(), out _, out _)!, 0);
        InitialStack? s = InitialStack.Build(Top, argv, envp, execFn, "x86_64", Random16, auxv, StackLimit, out string? error);
        Assert.Null(error);
        Assert.NotNull(s);
        return s!;
    }

    [Fact]
    public void Build_StaticPie_ArgvEnvpAndAuxvAreWhereLibcLooks()
    {
        ElfFile elf = ElfFile.Parse(ElfBuilder.StaticPie().Build(), out _, out _)!;
        const ulong bias = 0x7FFF_F7FF_0000;
        string[] argv = { "/usr/bin/prog", "-x", "hello world", "" };
        string[] envp = { "HOME=/root", "PATH=/usr/bin:/bin", "LANG=C.UTF-8" };
        InitialStack s = BuildOk(argv, envp, "/usr/bin/prog", LoaderAuxv(elf, bias));
        Entry e = Decode(s);
        View v = new(s);

        Assert.Equal(4UL, e.Argc);
        Assert.Equal(argv, e.Argv);
        Assert.Equal(envp, e.Envp);

        Dictionary<ulong, ulong> aux = new();
        foreach ((ulong t, ulong val) in e.Auxv)
        {
            Assert.True(aux.TryAdd(t, val), $"auxv type {t} appears twice");
        }

        Assert.Equal(((ulong)AuxvType.Null, 0UL), e.Auxv[^1]);
        Assert.Equal(4096UL, aux[(ulong)AuxvType.Pagesz]);
        Assert.Equal(bias + 64, aux[(ulong)AuxvType.Phdr]);
        Assert.Equal(56UL, aux[(ulong)AuxvType.Phent]);
        Assert.Equal(7UL, aux[(ulong)AuxvType.Phnum]);
        Assert.Equal(bias + 0x1040, aux[(ulong)AuxvType.Entry]);

        ulong random = aux[(ulong)AuxvType.Random];
        Assert.Equal(Random16, v.Bytes(random, 16));
        Assert.Equal("/usr/bin/prog", v.CString(aux[(ulong)AuxvType.Execfn]));
        Assert.Equal("x86_64", v.CString(aux[(ulong)AuxvType.Platform]));

        // The pointed-to data lies above the vectors, inside the image.
        foreach (ulong p in new[] { random, aux[(ulong)AuxvType.Execfn], aux[(ulong)AuxvType.Platform] })
        {
            Assert.True(p >= e.AuxvEnd && p < Top, $"0x{p:x}");
        }
    }

    [Fact]
    public void Build_Rsp_PointsAtArgcAndIsSixteenByteAligned()
    {
        InitialStack s = BuildOk(new[] { "a" }, new[] { "X=1" });
        Assert.Equal(0UL, s.Rsp % 16);
        Assert.Equal(s.Bottom, s.Rsp);
        Assert.Equal(Top - s.Bottom, (ulong)s.Image.Length);
        Assert.Equal(1UL, new View(s).U64(s.Rsp));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(1, 1)]
    [InlineData(2, 0)]
    [InlineData(2, 3)]
    [InlineData(3, 3)]
    [InlineData(5, 8)]
    [InlineData(64, 17)]
    public void Build_AnyArgAndEnvCount_KeepsRspAlignedAndVectorsIntact(int argc, int envc)
    {
        // Odd and even pointer counts, and string lengths that leave every residue mod 16.
        string[] argv = Enumerable.Range(0, argc).Select(i => new string('a', i % 17)).ToArray();
        string[] envp = Enumerable.Range(0, envc).Select(i => "V" + i + "=" + new string('b', i % 13)).ToArray();
        InitialStack s = BuildOk(argv, envp, execFn: new string('f', 1 + (argc % 7)));
        Entry e = Decode(s);

        Assert.Equal(0UL, s.Rsp % 16);
        Assert.Equal((ulong)argc, e.Argc);
        Assert.Equal(argv, e.Argv);
        Assert.Equal(envp, e.Envp);
        Assert.Equal((ulong)AuxvType.Null, e.Auxv[^1].Type);
        Assert.Equal(6 + 3 + 1, e.Auxv.Count); // the loader's six, RANDOM/EXECFN/PLATFORM, NULL
    }

    [Fact]
    public void Build_StringAreas_AreContiguousAndRecorded()
    {
        string[] argv = { "prog", "arg1" };
        string[] envp = { "A=1", "BB=22" };
        InitialStack s = BuildOk(argv, envp);
        View v = new(s);

        // /proc/PID/cmdline and environ read these ranges: NUL-separated, in order.
        Assert.Equal("prog\0arg1\0", Encoding.ASCII.GetString(v.Bytes(s.ArgStart, (int)(s.ArgEnd - s.ArgStart))));
        Assert.Equal("A=1\0BB=22\0", Encoding.ASCII.GetString(v.Bytes(s.EnvStart, (int)(s.EnvEnd - s.EnvStart))));
        Assert.Equal(s.ArgEnd, s.EnvStart);
        Assert.Equal(0UL, v.U64(Top - 8)); // the end marker at the very top
        Entry e = Decode(s);
        Assert.True(s.ArgStart >= e.AuxvEnd);
    }

    [Fact]
    public void Build_Utf8Strings_AreEncodedAsUtf8()
    {
        string[] argv = { "/bin/ßü", "日本語" };
        InitialStack s = BuildOk(argv, new[] { "NAME=Zoë" }, execFn: "/bin/ßü");
        Entry e = Decode(s);
        Assert.Equal(argv, e.Argv);
        Assert.Equal("NAME=Zoë", e.Envp[0]);
        Assert.Equal((ulong)(Encoding.UTF8.GetByteCount("/bin/ßü") + 1 + Encoding.UTF8.GetByteCount("日本語") + 1), s.ArgEnd - s.ArgStart);
    }

    [Fact]
    public void Build_StringsOverQuarterOfStackLimit_IsE2Big()
    {
        string big = new('x', (int)(StackLimit / 4));
        InitialStack? s = InitialStack.Build(Top, new[] { "prog", big }, Array.Empty<string>(), "prog", "x86_64", Random16,
            Array.Empty<(AuxvType, ulong)>(), StackLimit, out string? error);
        Assert.Null(s);
        Assert.Equal("E2BIG", error);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, false)]
    public void Build_StringsAtTheLimit_SucceedOneByteMoreIsE2Big(int extra, bool ok)
    {
        // strings + (argc + envc + 2) pointers must fit in stackLimit / 4:
        // 16384 = (16354 + 1) + "prog\0" (5) + 3 * 8.
        const ulong limit = 64 * 1024;
        string arg = new('y', 16354 + extra);
        InitialStack? s = InitialStack.Build(Top, new[] { arg }, Array.Empty<string>(), "prog", "x86_64", Random16,
            Array.Empty<(AuxvType, ulong)>(), limit, out string? error);
        Assert.Equal(ok, s != null);
        Assert.Equal(ok ? null : "E2BIG", error);
        if (ok)
        {
            Assert.Equal(arg, Decode(s!).Argv[0]);
        }
    }
}
