using Iced.Intel;
using X64Emu.Cpu.Interp;

namespace X64Emu.Cpu.Decode;

public static unsafe partial class Translator
{
    private static void RegisterSystem()
    {
        Define(Mnemonic.Syscall, &BuildSystem);
        Define(Mnemonic.Cpuid, &BuildSystem);
        Define(Mnemonic.Rdtsc, &BuildSystem);
        Define(Mnemonic.Rdpkru, &BuildSystem);
        Define(Mnemonic.Wrpkru, &BuildSystem);
        Define(Mnemonic.Int3, &BuildSystem);
        Define(Mnemonic.Ud0, &BuildSystem);
        Define(Mnemonic.Ud1, &BuildSystem);
        Define(Mnemonic.Ud2, &BuildSystem);
        Define(Mnemonic.Hlt, &BuildSystem);
        foreach (Mnemonic m in new[]
        {
            Mnemonic.Nop, Mnemonic.Pause, Mnemonic.Lfence, Mnemonic.Sfence, Mnemonic.Mfence,
            Mnemonic.Prefetchnta, Mnemonic.Prefetcht0, Mnemonic.Prefetcht1, Mnemonic.Prefetcht2, Mnemonic.Prefetchw,
            Mnemonic.Endbr64, Mnemonic.Endbr32,
        })
        {
            Define(m, &BuildNop);
        }
    }

    private static bool BuildSystem(ref Insn d, in Instruction ins)
    {
        d.Fn = ins.Mnemonic switch
        {
            Mnemonic.Syscall => &Interpreter.Syscall,
            Mnemonic.Cpuid => &Interpreter.Cpuid,
            Mnemonic.Rdtsc => &Interpreter.Rdtsc,
            Mnemonic.Rdpkru => &Interpreter.Rdpkru,
            Mnemonic.Wrpkru => &Interpreter.Wrpkru,
            Mnemonic.Int3 => &Interpreter.Int3,
            Mnemonic.Hlt => &Interpreter.Hlt,
            _ => &Interpreter.Ud,
        };
        return true;
    }

    private static bool BuildNop(ref Insn d, in Instruction ins)
    {
        d.Fn = &Interpreter.Nop;
        return true;
    }
}
