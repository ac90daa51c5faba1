/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_TESTS_SYNTH_ELF_H
#define GOTRACE_TESTS_SYNTH_ELF_H

/*
 * A minimal ELF64 x86-64 executable built around caller bytes, for tests
 * and fuzzers that want to reach a parser behind the ELF reader: a
 * writable PT_LOAD holding `data` at SYNTH_DATA_VADDR and a read-only one
 * holding `ro` at SYNTH_RO_VADDR, and (optionally) section headers naming
 * the first data_sec_len bytes of `data` as data_sec_name (".go.buildinfo")
 * plus a symbol table with the caller's symbols.
 */

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SYNTH_DATA_VADDR 0x500000ULL
#define SYNTH_RO_VADDR 0x700000ULL

struct synth_sym {
	const char *name;
	uint64_t value, size;
	uint8_t type; /* STT_* */
};

struct synth_spec {
	const void *data;
	size_t data_len;
	const void *ro;
	size_t ro_len;
	bool sections;
	const char *data_sec_name; /* NULL: no section for data */
	size_t data_sec_len;
	const struct synth_sym *syms;
	size_t nsyms;
};

static inline size_t synth__align(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* Appends a NUL-terminated name to a string table; returns its offset. */
static inline uint32_t synth__str(uint8_t *buf, size_t *len, const char *s)
{
	uint32_t off = (uint32_t)*len;

	memcpy(buf + *len, s, strlen(s) + 1);
	*len += strlen(s) + 1;
	return off;
}

static inline void synth__shdr(uint8_t *p, uint32_t name, uint32_t type, uint64_t flags,
			       uint64_t addr, uint64_t off, uint64_t size, uint32_t link,
			       uint64_t entsize)
{
	Elf64_Shdr sh = {.sh_name = name,
			 .sh_type = type,
			 .sh_flags = flags,
			 .sh_addr = addr,
			 .sh_offset = off,
			 .sh_size = size,
			 .sh_link = link,
			 .sh_addralign = 1,
			 .sh_entsize = entsize};

	memcpy(p, &sh, sizeof(sh));
}

static inline void synth__phdr(uint8_t *p, uint32_t flags, uint64_t off, uint64_t vaddr,
			       uint64_t size)
{
	Elf64_Phdr ph = {.p_type = PT_LOAD,
			 .p_flags = flags,
			 .p_offset = off,
			 .p_vaddr = vaddr,
			 .p_paddr = vaddr,
			 .p_filesz = size,
			 .p_memsz = size,
			 .p_align = 16};

	memcpy(p, &ph, sizeof(ph));
}

static inline size_t synth__names_len(const struct synth_spec *sp)
{
	size_t i, n = 64;

	for (i = 0; i < sp->nsyms; i++)
		n += strlen(sp->syms[i].name) + 1;
	return n;
}

/* Symbol table and its string table, placed at *pos; returns their offsets. */
static inline void synth__symtab(uint8_t *buf, size_t *pos, const struct synth_spec *sp,
				 size_t *symoff, size_t *stroff, size_t *strlen_out)
{
	size_t i, slen = 1;
	uint8_t *str;

	*symoff = *pos = synth__align(*pos, 8);
	*stroff = *symoff + (sp->nsyms + 1) * sizeof(Elf64_Sym);
	str = buf + *stroff;
	str[0] = '\0';
	memset(buf + *symoff, 0, sizeof(Elf64_Sym));
	for (i = 0; i < sp->nsyms; i++) {
		Elf64_Sym st = {0};

		st.st_name = synth__str(str, &slen, sp->syms[i].name);
		st.st_info = ELF64_ST_INFO(STB_GLOBAL, sp->syms[i].type);
		st.st_shndx = 1;
		st.st_value = sp->syms[i].value;
		st.st_size = sp->syms[i].size;
		memcpy(buf + *symoff + (i + 1) * sizeof(st), &st, sizeof(st));
	}
	*strlen_out = slen;
	*pos = *stroff + slen;
}

/* Section headers: null, data section, [.symtab, .strtab], .shstrtab. */
static inline void synth__sections(uint8_t *buf, size_t *pos, const struct synth_spec *sp,
				   size_t data_off, Elf64_Ehdr *eh)
{
	size_t symoff = 0, stroff = 0, slen = 0, shstr, shlen = 1, shoff, n = 0;
	uint32_t nm_data, nm_sym = 0, nm_str = 0, nm_shstr;
	uint8_t *shs;

	if (sp->nsyms)
		synth__symtab(buf, pos, sp, &symoff, &stroff, &slen);
	shstr = *pos;
	shs = buf + shstr;
	shs[0] = '\0';
	nm_data = synth__str(shs, &shlen, sp->data_sec_name ? sp->data_sec_name : ".data");
	if (sp->nsyms) {
		nm_sym = synth__str(shs, &shlen, ".symtab");
		nm_str = synth__str(shs, &shlen, ".strtab");
	}
	nm_shstr = synth__str(shs, &shlen, ".shstrtab");
	shoff = synth__align(shstr + shlen, 8);
	memset(buf + shoff, 0, sizeof(Elf64_Shdr));
	n = 1;
	synth__shdr(buf + shoff + n++ * sizeof(Elf64_Shdr), nm_data, SHT_PROGBITS,
		    SHF_ALLOC | SHF_WRITE, SYNTH_DATA_VADDR, data_off,
		    sp->data_sec_name ? sp->data_sec_len : sp->data_len, 0, 0);
	if (sp->nsyms) {
		synth__shdr(buf + shoff + n * sizeof(Elf64_Shdr), nm_sym, SHT_SYMTAB, 0, 0, symoff,
			    (sp->nsyms + 1) * sizeof(Elf64_Sym), (uint32_t)n + 1,
			    sizeof(Elf64_Sym));
		n++;
		synth__shdr(buf + shoff + n++ * sizeof(Elf64_Shdr), nm_str, SHT_STRTAB, 0, 0,
			    stroff, slen, 0, 0);
	}
	synth__shdr(buf + shoff + n * sizeof(Elf64_Shdr), nm_shstr, SHT_STRTAB, 0, 0, shstr, shlen,
		    0, 0);
	eh->e_shoff = shoff;
	eh->e_shnum = (uint16_t)(n + 1);
	eh->e_shstrndx = (uint16_t)n;
	eh->e_shentsize = sizeof(Elf64_Shdr);
	*pos = shoff + (n + 1) * sizeof(Elf64_Shdr);
}

/* A malloc'd ELF image; *len gets its size. NULL on allocation failure. */
static inline uint8_t *synth_elf(const struct synth_spec *sp, size_t *len)
{
	size_t data_off = 0x100, ro_off = synth__align(data_off + sp->data_len, 16), pos;
	size_t cap = ro_off + sp->ro_len + synth__names_len(sp) +
		     (sp->nsyms + 1) * sizeof(Elf64_Sym) + 6 * sizeof(Elf64_Shdr) + 256;
	Elf64_Ehdr eh = {0};
	uint8_t *buf = calloc(1, cap);

	if (!buf)
		return NULL;
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = 2;
	eh.e_ehsize = sizeof(eh);
	synth__phdr(buf + sizeof(eh), PF_R | PF_W, data_off, SYNTH_DATA_VADDR, sp->data_len);
	synth__phdr(buf + sizeof(eh) + sizeof(Elf64_Phdr), PF_R, ro_off, SYNTH_RO_VADDR,
		    sp->ro_len);
	if (sp->data_len)
		memcpy(buf + data_off, sp->data, sp->data_len);
	if (sp->ro_len)
		memcpy(buf + ro_off, sp->ro, sp->ro_len);
	pos = ro_off + sp->ro_len;
	if (sp->sections)
		synth__sections(buf, &pos, sp, data_off, &eh);
	memcpy(buf, &eh, sizeof(eh));
	*len = pos;
	return buf;
}

#endif
