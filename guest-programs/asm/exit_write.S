// tests raw syscalls without libc: write(2) and exit_group(2)
    .globl _start
_start:
    mov $1, %eax
    mov $1, %edi
    lea msg(%rip), %rsi
    mov $len, %edx
    syscall
    mov $231, %eax
    mov $7, %edi
    syscall
    .data
msg: .ascii "raw syscalls work\n"
    .set len, . - msg
