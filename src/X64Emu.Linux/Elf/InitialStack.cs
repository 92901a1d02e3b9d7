using System;
using System.Collections.Generic;
using System.Text;

namespace X64Emu.Linux.Elf;

/// <summary>
/// Builds the initial process stack as Linux's exec does (fs/exec.c copy_strings, fs/binfmt_elf.c
/// create_elf_tables): strings at the top, then AT_RANDOM bytes and the platform string, then the
/// 16-byte-aligned argc / argv / envp / auxv block that RSP points at.
/// </summary>
public sealed class InitialStack
{
    /// <summary>Bytes to write at <see cref="Bottom"/>.</summary>
    public byte[] Image { get; private set; } = Array.Empty<byte>();

    /// <summary>Guest address of Image[0].</summary>
    public ulong Bottom { get; private set; }

    /// <summary>Initial RSP (points at argc; 16-byte aligned).</summary>
    public ulong Rsp { get; private set; }

    public ulong ArgStart { get; private set; }

    public ulong ArgEnd { get; private set; }

    public ulong EnvStart { get; private set; }

    public ulong EnvEnd { get; private set; }

    /// <summary>
    /// Lays out the stack below <paramref name="top"/>. The AT_RANDOM, AT_PLATFORM and AT_EXECFN values
    /// are filled in here; the caller supplies the other auxv entries (AT_NULL is appended).
    /// </summary>
    /// <returns>null, or "E2BIG" when the strings exceed a quarter of the stack limit.</returns>
    public static InitialStack? Build(ulong top, IReadOnlyList<string> argv, IReadOnlyList<string> envp, string execFn,
        string platform, ReadOnlySpan<byte> random16, IReadOnlyList<(AuxvType Type, ulong Value)> auxv, ulong stackLimit, out string? error)
    {
        error = null;
        List<byte> strings = new();
        ulong p = top - 8; // end marker: one NULL pointer at the very top

        byte[] fn = Z(execFn);
        p -= (ulong)fn.Length;
        ulong execFnAddr = p;

        byte[][] env = new byte[envp.Count][];
        ulong envBytes = 0;
        for (int i = 0; i < envp.Count; i++)
        {
            env[i] = Z(envp[i]);
            envBytes += (ulong)env[i].Length;
        }

        byte[][] args = new byte[argv.Count][];
        ulong argBytes = 0;
        for (int i = 0; i < argv.Count; i++)
        {
            args[i] = Z(argv[i]);
            argBytes += (ulong)args[i].Length;
        }

        ulong stringBytes = envBytes + argBytes + (ulong)fn.Length;
        if (stringBytes + ((ulong)(argv.Count + envp.Count + 2) * 8) > stackLimit / 4)
        {
            error = "E2BIG";
            return null;
        }

        p -= envBytes;
        ulong envStart = p;
        p -= argBytes;
        ulong argStart = p;
        ulong stringsBottom = p;

        // create_elf_tables: align, platform string, 16 random bytes.
        p &= ~0xFUL;
        byte[] plat = Z(platform);
        p -= (ulong)plat.Length;
        ulong platformAddr = p;
        p -= 16;
        ulong randomAddr = p;

        List<(ulong, ulong)> aux = new();
        foreach ((AuxvType t, ulong v) in auxv)
        {
            aux.Add(((ulong)t, v));
        }

        aux.Add(((ulong)AuxvType.Random, randomAddr));
        aux.Add(((ulong)AuxvType.Execfn, execFnAddr));
        aux.Add(((ulong)AuxvType.Platform, platformAddr));
        aux.Add(((ulong)AuxvType.Null, 0));

        ulong items = (ulong)(1 + argv.Count + 1 + envp.Count + 1 + (aux.Count * 2));
        ulong sp = (p - (items * 8)) & ~0xFUL;

        InitialStack s = new()
        {
            Bottom = sp,
            Rsp = sp,
            ArgStart = argStart,
            ArgEnd = argStart + argBytes,
            EnvStart = envStart,
            EnvEnd = envStart + envBytes,
        };
        byte[] image = new byte[top - sp];
        void Put64(ulong va, ulong v) => BitConverter.TryWriteBytes(image.AsSpan((int)(va - sp)), v);
        void PutBytes(ulong va, ReadOnlySpan<byte> b) => b.CopyTo(image.AsSpan((int)(va - sp)));

        PutBytes(execFnAddr, fn);
        ulong at = envStart;
        ulong[] envPtrs = new ulong[env.Length];
        for (int i = 0; i < env.Length; i++)
        {
            envPtrs[i] = at;
            PutBytes(at, env[i]);
            at += (ulong)env[i].Length;
        }

        at = argStart;
        ulong[] argPtrs = new ulong[args.Length];
        for (int i = 0; i < args.Length; i++)
        {
            argPtrs[i] = at;
            PutBytes(at, args[i]);
            at += (ulong)args[i].Length;
        }

        PutBytes(platformAddr, plat);
        PutBytes(randomAddr, random16.Slice(0, 16));

        ulong q = sp;
        Put64(q, (ulong)argv.Count);
        q += 8;
        foreach (ulong a in argPtrs)
        {
            Put64(q, a);
            q += 8;
        }

        q += 8; // argv NULL
        foreach (ulong e in envPtrs)
        {
            Put64(q, e);
            q += 8;
        }

        q += 8; // envp NULL
        foreach ((ulong t, ulong v) in aux)
        {
            Put64(q, t);
            Put64(q + 8, v);
            q += 16;
        }

        _ = stringsBottom;
        s.Image = image;
        return s;
    }

    private static byte[] Z(string s)
    {
        byte[] b = new byte[Encoding.UTF8.GetByteCount(s) + 1];
        Encoding.UTF8.GetBytes(s, 0, s.Length, b, 0);
        return b;
    }
}
