using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using X64Emu.Linux.Elf;
using Xunit;

namespace X64Emu.Linux.Tests.Elf;

public class ElfFileTests
{
    private const uint R = ProgramHeader.PfR;
    private const uint RX = ProgramHeader.PfR | ProgramHeader.PfX;
    private const uint RW = ProgramHeader.PfR | ProgramHeader.PfW;

    private static ElfFile ParseOk(byte[] image)
    {
        ElfFile? elf = ElfFile.Parse(image, out ElfError error, out string message);
        Assert.True(error == ElfError.None, $"{error}: {message}");
        Assert.NotNull(elf);
        Assert.Equal(string.Empty, message);
        return elf!;
    }

    [Fact]
    public void Parse_StaticExec_ReturnsEntryAndSegments()
    {
        ElfFile elf = ParseOk(ElfBuilder.StaticExec().Build());

        Assert.Equal(ElfFile.EtExec, elf.Type);
        Assert.False(elf.IsDyn);
        Assert.Equal(ElfFile.EmX8664, elf.Machine);
        Assert.Equal(0x401000UL, elf.Entry);
        Assert.Equal(64UL, elf.PhOff);
        Assert.Equal((ushort)56, elf.PhEntSize);
        Assert.Equal((ushort)4, elf.PhNum);
        Assert.Equal(4, elf.ProgramHeaders.Count);
        Assert.Equal(3, elf.LoadSegments.Count);
        Assert.Equal(new ulong[] { 0x400000, 0x401000, 0x402000 }, elf.LoadSegments.Select(l => l.VAddr));
        Assert.True(elf.LoadSegments[1].Executable);
        Assert.False(elf.LoadSegments[1].Writable);
        Assert.True(elf.LoadSegments[2].Writable);
        Assert.Equal(0x2000UL, elf.LoadSegments[2].MemSize);
        Assert.Null(elf.Interpreter);
        Assert.Null(elf.Tls);
        Assert.False(elf.ExecStack);
        Assert.Equal(0x400000UL, elf.MinVAddr);
        Assert.Equal(0x404000UL, elf.MaxVAddr);

        // No PT_PHDR: the table is found through the PT_LOAD that maps file offset 64.
        Assert.Equal(0x400040UL, elf.PhdrVAddr);
    }

    [Fact]
    public void Parse_StaticPie_IsDynLinkedAtZero()
    {
        ElfFile elf = ParseOk(ElfBuilder.StaticPie().Build());

        Assert.Equal(ElfFile.EtDyn, elf.Type);
        Assert.True(elf.IsDyn);
        Assert.Equal(0x1040UL, elf.Entry);
        Assert.Equal(7, elf.ProgramHeaders.Count);
        Assert.Equal(3, elf.LoadSegments.Count);
        Assert.Equal(ProgramHeader.PtPhdr, elf.ProgramHeaders[0].Type);
        Assert.Equal(64UL, elf.PhdrVAddr);
        Assert.Null(elf.Interpreter);
        Assert.NotNull(elf.Tls);
        Assert.Equal(0x2e00UL, elf.Tls!.Value.VAddr);
        Assert.Equal(0UL, elf.MinVAddr);
        Assert.Equal(0x5000UL, elf.MaxVAddr); // 0x2e00 + 0x1400 = 0x4200, rounded up
    }

    [Fact]
    public void Parse_DynamicPie_ReadsInterpreter()
    {
        ElfFile elf = ParseOk(ElfBuilder.DynamicPie().Build());

        Assert.Equal("/lib64/ld-linux-x86-64.so.2", elf.Interpreter);
        Assert.True(elf.IsDyn);
    }

    [Fact]
    public void Parse_InterpreterOfExactlyPathMax_IsAccepted()
    {
        // Linux: p_filesz > PATH_MAX (4096) is ENOEXEC, 4096 itself (4095 chars + NUL) is fine.
        ElfBuilder b = ElfBuilder.DynamicPie(new string('a', 4095));
        b.FileSize = 0x3000;
        b.Phdrs[3] = ElfBuilder.Load(RX, 0x2000, 0x2000, 0x100, 0x100);
        b.Phdrs[2] = ElfBuilder.Load(R, 0, 0, 0x1200, 0x1200);
        b.Entry = 0x2000;
        ElfFile elf = ParseOk(b.Build());
        Assert.Equal(4095, elf.Interpreter!.Length);
    }

    [Fact]
    public void Parse_ExecutableStack_IsReported()
    {
        ElfBuilder b = ElfBuilder.StaticExec();
        b.Phdrs[3] = b.Phdrs[3] with { Flags = RW | ProgramHeader.PfX };
        Assert.True(ParseOk(b.Build()).ExecStack);
    }

    [Fact]
    public void Parse_SegmentsSharingAPageWithoutOverlap_AreAccepted()
    {
        // Old ld layouts: text ends and data starts inside the same page, at congruent file offsets.
        ElfBuilder b = ElfBuilder.StaticExec();
        b.Phdrs[1] = ElfBuilder.Load(RX, 0x1000, 0x401000, 0x800, 0x800);
        b.Phdrs[2] = ElfBuilder.Load(RW, 0x1800, 0x401800, 0x100, 0x1000);
        ElfFile elf = ParseOk(b.Build());
        Assert.Equal(0x403000UL, elf.MaxVAddr);
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    public void Parse_AlignZeroOrOneWithCongruentOffsets_IsAccepted(ulong align)
    {
        ElfBuilder b = ElfBuilder.StaticExec();
        b.Phdrs[1] = b.Phdrs[1] with { Align = align };
        ParseOk(b.Build());
    }

    [Fact]
    public void Parse_NoPhdrAndTableNotInAnyLoad_LeavesPhdrVAddrNull()
    {
        ElfBuilder b = ElfBuilder.StaticExec();
        b.PhOff = 0x2080; // in the file, but past the data segment's p_filesz (0x100 from 0x2000)
        b.FileSize = 0x2200;
        ElfFile elf = ParseOk(b.Build());
        Assert.Null(elf.PhdrVAddr);
    }

    /// <summary>Malformed images: each breaks one thing in an otherwise valid file.</summary>
    private static readonly Dictionary<string, (Func<byte[]> Make, ElfError Expected)> Malformed = new()
    {
        ["empty"] = (() => Array.Empty<byte>(), ElfError.TooShort),
        ["three-bytes-of-magic"] = (() => new byte[] { 0x7F, (byte)'E', (byte)'L' }, ElfError.TooShort),
        ["magic-only"] = (() => new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' }, ElfError.TooShort),
        ["header-truncated-at-63"] = (() => ElfBuilder.StaticExec().Build()[..63], ElfError.TooShort),
        ["bad-magic"] = (() => Poke(ElfBuilder.StaticExec().Build(), 1, (byte)'X'), ElfError.BadMagic),
        ["pe-file"] = (() => Encoding.ASCII.GetBytes("MZ" + new string('\0', 200)), ElfError.BadMagic),
        ["shell-script"] = (() => Encoding.ASCII.GetBytes("#!/bin/sh\necho hi\n"), ElfError.BadMagic),
        ["class32"] = (() => Build(b => b.Class = 1), ElfError.Class32),
        ["class-none"] = (() => Build(b => b.Class = 0), ElfError.BadClass),
        ["class-3"] = (() => Build(b => b.Class = 3), ElfError.BadClass),
        ["big-endian"] = (() => Build(b => b.Data = 2), ElfError.BigEndian),
        ["data-none"] = (() => Build(b => b.Data = 0), ElfError.BigEndian),
        ["ei-version-0"] = (() => Build(b => b.IdentVersion = 0), ElfError.BadVersion),
        ["e-version-2"] = (() => Build(b => b.Version = 2), ElfError.BadVersion),
        ["machine-aarch64"] = (() => Build(b => b.Machine = 183), ElfError.WrongMachine),
        ["machine-i386"] = (() => Build(b => b.Machine = 3), ElfError.WrongMachine),
        ["machine-none"] = (() => Build(b => b.Machine = 0), ElfError.WrongMachine),
        ["type-rel"] = (() => Build(b => b.Type = 1), ElfError.WrongType),
        ["type-core"] = (() => Build(b => b.Type = 4), ElfError.WrongType),
        ["type-none"] = (() => Build(b => b.Type = 0), ElfError.WrongType),
        ["phentsize-elf32"] = (() => Build(b => b.PhEntSize = 32), ElfError.BadPhEntSize),
        ["phentsize-0"] = (() => Build(b => b.PhEntSize = 0), ElfError.BadPhEntSize),
        ["phentsize-64"] = (() => Build(b => b.PhEntSize = 64), ElfError.BadPhEntSize),
        ["phnum-0"] = (() => Build(b => b.PhNum = 0), ElfError.BadProgramHeaders),
        ["phnum-4097"] = (() => Build(b => { b.PhNum = 4097; b.FileSize = 0x40000; }), ElfError.BadProgramHeaders),
        ["phoff-beyond-eof"] = (() => Build(b => b.PhOff = 0x10000), ElfError.BadProgramHeaders),
        ["phoff-overflow"] = (() => Build(b => b.PhOff = ulong.MaxValue - 8), ElfError.BadProgramHeaders),
        ["phdrs-cross-eof"] = (() => Build(b => b.PhOff = 0x2000)[..0x2080], ElfError.BadProgramHeaders),
        ["phnum-past-eof"] = (() => Build(b => b.PhNum = 200), ElfError.BadProgramHeaders),
        ["filesz-gt-memsz"] = (() => Build(b => b.Phdrs[2] = b.Phdrs[2] with { FileSize = 0x100, MemSize = 0xFF }), ElfError.BadSegment),
        ["offset-beyond-eof"] = (() => Build(b => b.Phdrs[2] = b.Phdrs[2] with { Offset = 0x5000 }), ElfError.BadSegment),
        ["segment-crosses-eof"] = (() => Build(b => b.Phdrs[2] = b.Phdrs[2] with { FileSize = 0x1000 }), ElfError.BadSegment),
        ["file-truncated"] = (() => ElfBuilder.StaticExec().Build()[..0x1800], ElfError.BadSegment),
        ["offset-overflow"] = (() => Build(b => b.Phdrs[2] = b.Phdrs[2] with { Offset = 0xFFFF_FFFF_FFFF_F000 }), ElfError.BadSegment),
        ["filesz-overflow"] = (() => Build(b => b.Phdrs[2] = b.Phdrs[2] with { FileSize = ulong.MaxValue, MemSize = ulong.MaxValue }), ElfError.BadSegment),
        ["vaddr-kernel-half"] = (() => Build(b => b.Phdrs[2] = b.Phdrs[2] with { VAddr = 0xFFFF_FFFF_8040_2000 }), ElfError.BadSegment),
        ["vaddr-noncanonical"] = (() => Build(b => b.Phdrs[2] = b.Phdrs[2] with { VAddr = 0x0000_8000_0000_2000 }), ElfError.BadSegment),
        ["vaddr-at-task-size"] = (() => Build(b => b.Phdrs[2] = b.Phdrs[2] with { VAddr = 0x7FFF_FFFF_F000 }), ElfError.BadSegment),
        ["memsz-past-task-size"] = (() => Build(b => b.Phdrs[2] = b.Phdrs[2] with { VAddr = 0x7FFF_FFFF_E000, MemSize = 0x2000 }), ElfError.BadSegment),
        ["vaddr-plus-memsz-wraps"] = (() => Build(b => b.Phdrs[2] = b.Phdrs[2] with { VAddr = 0x7FFF_FFFF_E000, MemSize = ulong.MaxValue - 0x1000 }), ElfError.BadSegment),
        ["align-not-power-of-two"] = (() => Build(b => b.Phdrs[1] = b.Phdrs[1] with { Align = 0x1800 }), ElfError.BadSegment),
        ["offset-vaddr-not-congruent"] = (() => Build(b => b.Phdrs[2] = b.Phdrs[2] with { VAddr = 0x402010 }), ElfError.BadSegment),
        ["offset-vaddr-not-congruent-align0"] = (() => Build(b => b.Phdrs[2] = b.Phdrs[2] with { VAddr = 0x402010, Align = 0 }), ElfError.BadSegment),
        ["loads-overlap"] = (() => Build(b => b.Phdrs[1] = ElfBuilder.Load(RX, 0x800, 0x400800, 0x100, 0x1000)), ElfError.SegmentsOverlap),
        ["loads-overlap-by-bss"] = (() => Build(b => b.Phdrs[1] = b.Phdrs[1] with { MemSize = 0x1001 }), ElfError.SegmentsOverlap),
        ["loads-descending"] = (() => Build(b => (b.Phdrs[1], b.Phdrs[2]) = (b.Phdrs[2], b.Phdrs[1])), ElfError.SegmentsOverlap),
        ["no-load"] = (() => Build(b =>
        {
            b.Phdrs.Clear();
            b.Add(ElfBuilder.Other(ProgramHeader.PtNote, R, 0x100, 0x400100, 0x20));
            b.Add(ElfBuilder.Other(ProgramHeader.PtGnuStack, RW, 0, 0, 0));
        }), ElfError.NoLoadSegment),
        ["interp-not-nul-terminated"] = (() => Interp(b => SetInterp(b, "/lib/ld.so!")), ElfError.BadInterpreter),
        ["interp-embedded-nul"] = (() => Interp(b => SetInterp(b, "/lib\0ld-linux-x86-64.so.2\0")), ElfError.BadInterpreter),
        ["interp-too-long"] = (() => Interp(b =>
        {
            b.FileSize = 0x3000;
            b.Phdrs[1] = b.Phdrs[1] with { FileSize = 4097 };
            b.Blob(0x200, Encoding.ASCII.GetBytes(new string('a', 4096) + "\0"));
        }), ElfError.BadInterpreter),
        ["interp-size-1"] = (() => Interp(b => b.Phdrs[1] = b.Phdrs[1] with { FileSize = 1 }), ElfError.BadInterpreter),
        ["interp-beyond-eof"] = (() => Interp(b => b.Phdrs[1] = b.Phdrs[1] with { Offset = 0x1FF0 }), ElfError.BadInterpreter),
        ["interp-offset-overflow"] = (() => Interp(b => b.Phdrs[1] = b.Phdrs[1] with { Offset = ulong.MaxValue }), ElfError.BadInterpreter),
        ["interp-twice"] = (() => Interp(b => b.Phdrs.Insert(2, b.Phdrs[1])), ElfError.BadInterpreter),
        ["entry-outside-segments"] = (() => Build(b => b.Entry = 0x500000), ElfError.BadEntry),
        ["entry-in-rodata"] = (() => Build(b => b.Entry = 0x400100), ElfError.BadEntry),
        ["entry-in-bss"] = (() => Build(b => b.Entry = 0x403000), ElfError.BadEntry),
        ["entry-one-past-text"] = (() => Build(b => b.Entry = 0x402000), ElfError.BadEntry),
    };

    public static IEnumerable<object[]> MalformedNames() => Malformed.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(MalformedNames))]
    public void Parse_Malformed_ReportsError(string name)
    {
        (Func<byte[]> make, ElfError expected) = Malformed[name];
        ElfFile? elf = ElfFile.Parse(make(), out ElfError error, out string message);

        Assert.Equal(expected, error);
        Assert.Null(elf);
        Assert.False(string.IsNullOrWhiteSpace(message));
        Assert.DoesNotContain('\n', message);
    }

    [Fact]
    public void Parse_WrongMachine_NamesTheMachine()
    {
        ElfFile.Parse(Build(b => b.Machine = 183), out ElfError error, out string message);
        Assert.Equal(ElfError.WrongMachine, error);
        Assert.Contains("AArch64", message);
    }

    /// <summary>
    /// Mutates the header and program header table of valid images with a fixed seed: the reader
    /// must either accept the result (and then hold its documented invariants) or name an ElfError;
    /// it must never throw.
    /// </summary>
    [Fact]
    public void Parse_MutatedHeaders_NeverThrows()
    {
        Random rng = new(0x5EED);
        byte[][] bases = { ElfBuilder.StaticExec().Build(), ElfBuilder.StaticPie().Build(), ElfBuilder.DynamicPie().Build() };
        ulong[] interesting =
        {
            0, 1, 0xFFF, 0x1000, 0x7FFF_FFFF_F000, 0x7FFF_FFFF_FFFF, 0x8000_0000_0000, 0xFFFF_8000_0000_0000,
            ulong.MaxValue, ulong.MaxValue - 0xFFF, long.MaxValue, 0x8000_0000, uint.MaxValue,
        };
        int accepted = 0;
        Dictionary<ElfError, int> seen = new();
        for (int iter = 0; iter < 2000; iter++)
        {
            byte[] img = (byte[])bases[iter % bases.Length].Clone();
            int headerBytes = 64 + (img[56] * 56);
            int mutations = 1 + rng.Next(4);
            for (int m = 0; m < mutations; m++)
            {
                switch (rng.Next(5))
                {
                    case 0: // flip one bit
                        img[rng.Next(headerBytes)] ^= (byte)(1 << rng.Next(8));
                        break;
                    case 1: // random byte
                        img[rng.Next(headerBytes)] = (byte)rng.Next(256);
                        break;
                    case 2: // an interesting 64-bit value at a field-aligned offset
                    {
                        int off = rng.Next(headerBytes / 8) * 8;
                        BitConverter.TryWriteBytes(img.AsSpan(off), interesting[rng.Next(interesting.Length)]);
                        break;
                    }

                    case 3: // an interesting 16-bit value (e_phnum, e_phentsize, ...)
                    {
                        int off = rng.Next(headerBytes / 2) * 2;
                        ushort[] small = { 0, 1, 55, 56, 57, 0xFF, 0x1000, 0xFFFF };
                        BitConverter.TryWriteBytes(img.AsSpan(off), small[rng.Next(small.Length)]);
                        break;
                    }

                    default: // truncate
                        if (rng.Next(4) == 0)
                        {
                            img = img[..rng.Next(img.Length + 1)];
                            headerBytes = Math.Min(headerBytes, Math.Max(img.Length, 1));
                            if (img.Length == 0)
                            {
                                m = mutations;
                            }
                        }

                        break;
                }
            }

            ElfFile? elf;
            ElfError error;
            string message;
            try
            {
                elf = ElfFile.Parse(img, out error, out message);
            }
            catch (Exception ex)
            {
                Assert.Fail($"iteration {iter}: {ex.GetType().Name}: {ex.Message}\nimage: {Convert.ToHexString(img.AsSpan(0, Math.Min(img.Length, 64 + (6 * 56))))}");
                return;
            }

            seen[error] = seen.GetValueOrDefault(error) + 1;
            if (error == ElfError.None)
            {
                accepted++;
                Assert.NotNull(elf);
                CheckInvariants(elf!, img.Length);
            }
            else
            {
                Assert.Null(elf);
                Assert.False(string.IsNullOrEmpty(message));
            }
        }

        // The mutations must exercise both sides, or the test proves little.
        Assert.InRange(accepted, 50, 1950);
        Assert.True(seen.Count >= 8, "errors seen: " + string.Join(", ", seen.Select(kv => $"{kv.Key}={kv.Value}")));
    }

    private static void CheckInvariants(ElfFile elf, int fileLength)
    {
        Assert.True(elf.Type is ElfFile.EtExec or ElfFile.EtDyn);
        Assert.Equal(ElfFile.EmX8664, elf.Machine);
        Assert.Equal(elf.PhNum, elf.ProgramHeaders.Count);
        Assert.NotEmpty(elf.LoadSegments);
        ulong prevEnd = 0;
        foreach (ProgramHeader l in elf.LoadSegments)
        {
            Assert.True(l.VAddr >= prevEnd);
            Assert.True(l.FileSize <= l.MemSize);
            Assert.True(l.Offset + l.FileSize <= (ulong)fileLength);
            Assert.True(l.VAddr + l.MemSize <= 0x7FFF_FFFF_F000UL);
            prevEnd = l.VAddr + l.MemSize;
        }

        Assert.True(elf.MinVAddr <= elf.MaxVAddr);
        Assert.Contains(elf.LoadSegments, l => l.Executable && elf.Entry >= l.VAddr && elf.Entry < l.VAddr + l.MemSize);
    }

    private static byte[] Build(Action<ElfBuilder> change)
    {
        ElfBuilder b = ElfBuilder.StaticExec();
        change(b);
        return b.Build();
    }

    private static byte[] Interp(Action<ElfBuilder> change)
    {
        ElfBuilder b = ElfBuilder.DynamicPie();
        change(b);
        return b.Build();
    }

    /// <summary>Replaces the PT_INTERP bytes (and p_filesz) with exactly <paramref name="raw"/>.</summary>
    private static void SetInterp(ElfBuilder b, string raw)
    {
        b.Blob(0x200, new byte[0x100]);
        b.Blob(0x200, Encoding.ASCII.GetBytes(raw));
        b.Phdrs[1] = b.Phdrs[1] with { FileSize = (ulong)raw.Length };
    }

    private static byte[] Poke(byte[] image, int offset, byte value)
    {
        image[offset] = value;
        return image;
    }
}
