// SPDX-License-Identifier: GPL-2.0
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "goelf/elf.h"

/* Sanity caps: real binaries have a few dozen of each. */
#define MAX_SECTIONS 65535
#define MAX_SEGMENTS 4096

struct elf_file {
	const uint8_t *data;
	uint64_t size;
	bool mapped;
	char *name;
	uint16_t type;
	uint16_t machine;
	struct elf_section *sections;
	size_t nsections;
	struct elf_segment *segments;
	size_t nsegments;
};

const void *elf_file__bytes(const struct elf_file *ef, uint64_t off, uint64_t len)
{
	if (off > ef->size || len > ef->size - off)
		return NULL;
	return ef->data + off;
}

static int check_header(struct elf_file *ef, Elf64_Ehdr *eh)
{
	const uint8_t *id = ef->data;

	if (ef->size < EI_NIDENT || memcmp(id, ELFMAG, SELFMAG))
		return err_fail(GT_EFORMAT, "%s: not an ELF file", ef->name);
	if (id[EI_CLASS] != ELFCLASS64)
		return err_fail(GT_EFORMAT,
				"%s: 32-bit ELF is not supported (64-bit x86-64/arm64 only)",
				ef->name);
	if (id[EI_DATA] != ELFDATA2LSB)
		return err_fail(GT_EFORMAT, "%s: big-endian ELF is not supported", ef->name);
	if (ef->size < sizeof(*eh))
		return err_fail(GT_EFORMAT, "%s: truncated ELF header (%llu bytes)", ef->name,
				(unsigned long long)ef->size);
	memcpy(eh, ef->data, sizeof(*eh));
	ef->type = eh->e_type;
	ef->machine = eh->e_machine;
	return 0;
}

static int read_segments(struct elf_file *ef, const Elf64_Ehdr *eh)
{
	const uint8_t *p;
	size_t i;

	if (eh->e_phnum == 0)
		return 0;
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum > MAX_SEGMENTS)
		return err_fail(GT_EFORMAT, "%s: bad program header table (entsize %u, count %u)",
				ef->name, eh->e_phentsize, eh->e_phnum);
	p = elf_file__bytes(ef, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr));
	if (!p)
		return err_fail(GT_EFORMAT,
				"%s: truncated: program headers end past the file (%llu bytes)",
				ef->name, (unsigned long long)ef->size);
	ef->segments = calloc(eh->e_phnum, sizeof(*ef->segments));
	if (!ef->segments)
		return -ENOMEM;
	for (i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, p + i * sizeof(ph), sizeof(ph));
		ef->segments[i] = (struct elf_segment){
			.type = ph.p_type,
			.flags = ph.p_flags,
			.offset = ph.p_offset,
			.vaddr = ph.p_vaddr,
			.filesz = ph.p_filesz,
			.memsz = ph.p_memsz,
			.align = ph.p_align,
		};
	}
	ef->nsegments = eh->e_phnum;
	return 0;
}

/* Section names must be NUL-terminated inside .shstrtab, else they are "". */
static const char *section_name(const struct elf_file *ef, const Elf64_Shdr *strtab, uint32_t off)
{
	const char *s;
	uint64_t len;

	if (!strtab || strtab->sh_type == SHT_NOBITS || off >= strtab->sh_size)
		return "";
	s = elf_file__bytes(ef, strtab->sh_offset + off, 1);
	if (!s)
		return "";
	len = strtab->sh_size - off;
	if (len > ef->size - (strtab->sh_offset + off))
		len = ef->size - (strtab->sh_offset + off);
	return memchr(s, '\0', len) ? s : "";
}

static int read_sections(struct elf_file *ef, const Elf64_Ehdr *eh)
{
	Elf64_Shdr strtab, sh;
	const uint8_t *p;
	bool have_strtab = false;
	size_t i, n = eh->e_shnum;

	if (eh->e_shoff == 0 || n == 0)
		return 0; /* no section headers: legal, we use segments */
	if (eh->e_shentsize != sizeof(Elf64_Shdr) || n > MAX_SECTIONS)
		return err_fail(GT_EFORMAT, "%s: bad section header table (entsize %u, count %zu)",
				ef->name, eh->e_shentsize, n);
	p = elf_file__bytes(ef, eh->e_shoff, (uint64_t)n * sizeof(Elf64_Shdr));
	if (!p)
		return err_fail(GT_EFORMAT,
				"%s: truncated: section headers end past the file (%llu bytes)",
				ef->name, (unsigned long long)ef->size);
	if (eh->e_shstrndx < n) {
		memcpy(&strtab, p + eh->e_shstrndx * sizeof(Elf64_Shdr), sizeof(strtab));
		have_strtab = elf_file__bytes(ef, strtab.sh_offset, strtab.sh_size) != NULL;
	}
	ef->sections = calloc(n, sizeof(*ef->sections));
	if (!ef->sections)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		memcpy(&sh, p + i * sizeof(sh), sizeof(sh));
		ef->sections[i] = (struct elf_section){
			.name = section_name(ef, have_strtab ? &strtab : NULL, sh.sh_name),
			.type = sh.sh_type,
			.link = sh.sh_link,
			.flags = sh.sh_flags,
			.addr = sh.sh_addr,
			.offset = sh.sh_offset,
			.size = sh.sh_size,
			.entsize = sh.sh_entsize,
		};
	}
	ef->nsections = n;
	return 0;
}

/*
 * A file cut short (an interrupted copy, a partial image layer) still has
 * intact headers at the front: every loaded segment and every section with
 * file contents must end inside the file, or the rest of gotrace would read
 * tables that are not there.
 */
static int check_complete(const struct elf_file *ef)
{
	size_t i;

	for (i = 0; i < ef->nsegments; i++) {
		const struct elf_segment *s = &ef->segments[i];

		if (s->type == PT_LOAD && !elf_file__bytes(ef, s->offset, s->filesz))
			return err_fail(GT_EFORMAT,
					"%s: truncated: segment %zu ends at 0x%llx, past "
					"the end of the file (%llu bytes)",
					ef->name, i, (unsigned long long)(s->offset + s->filesz),
					(unsigned long long)ef->size);
	}
	for (i = 0; i < ef->nsections; i++) {
		const struct elf_section *s = &ef->sections[i];

		if (s->type != SHT_NOBITS && s->type != SHT_NULL &&
		    !elf_file__bytes(ef, s->offset, s->size))
			return err_fail(GT_EFORMAT,
					"%s: truncated: section %s ends past the end of "
					"the file (%llu bytes)",
					ef->name, s->name[0] ? s->name : "?",
					(unsigned long long)ef->size);
	}
	return 0;
}

static int parse(struct elf_file *ef)
{
	Elf64_Ehdr eh;
	int err;

	err = check_header(ef, &eh);
	if (!err)
		err = read_segments(ef, &eh);
	if (!err)
		err = read_sections(ef, &eh);
	if (!err)
		err = check_complete(ef);
	return err;
}

static struct elf_file *alloc_file(const char *name)
{
	struct elf_file *ef = calloc(1, sizeof(*ef));

	if (!ef)
		return NULL;
	ef->name = strdup(name ? name : "(memory)");
	if (!ef->name) {
		free(ef);
		return NULL;
	}
	return ef;
}

int elf_file__open_mem(const void *data, size_t size, struct elf_file **out)
{
	struct elf_file *ef = alloc_file(NULL);
	int err;

	if (!ef)
		return -ENOMEM;
	ef->data = data;
	ef->size = size;
	err = parse(ef);
	if (err) {
		elf_file__free(ef);
		return err;
	}
	*out = ef;
	return 0;
}

int elf_file__open_fd(int fd, const char *display_name, struct elf_file **out)
{
	struct elf_file *ef;
	struct stat st;
	void *map;
	int err;

	if (fstat(fd, &st))
		return err_fail(errno, "%s: %s", display_name, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return err_fail(GT_EFORMAT, "%s: not a regular file", display_name);
	if (st.st_size == 0)
		return err_fail(GT_EFORMAT, "%s: empty file, not an ELF binary", display_name);
	ef = alloc_file(display_name);
	if (!ef)
		return -ENOMEM;
	map = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		err = err_fail(errno, "%s: mmap: %s", display_name, strerror(errno));
		elf_file__free(ef);
		return err;
	}
	ef->data = map;
	ef->size = st.st_size;
	ef->mapped = true;
	err = parse(ef);
	if (err) {
		elf_file__free(ef);
		return err;
	}
	*out = ef;
	return 0;
}

int elf_file__open(const char *path, struct elf_file **out)
{
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		if (err == ENOENT)
			return err_fail(err, "%s: no such file", path);
		return err_fail(err, "cannot open %s: %s", path, strerror(err));
	}
	err = elf_file__open_fd(fd, path, out);
	close(fd);
	return err;
}

void elf_file__free(struct elf_file *ef)
{
	if (!ef)
		return;
	if (ef->mapped)
		munmap((void *)ef->data, ef->size);
	free(ef->sections);
	free(ef->segments);
	free(ef->name);
	free(ef);
}

const char *elf_file__name(const struct elf_file *ef)
{
	return ef->name;
}

uint16_t elf_file__type(const struct elf_file *ef)
{
	return ef->type;
}

uint16_t elf_file__machine(const struct elf_file *ef)
{
	return ef->machine;
}

uint64_t elf_file__size(const struct elf_file *ef)
{
	return ef->size;
}

size_t elf_file__nsections(const struct elf_file *ef)
{
	return ef->nsections;
}

const struct elf_section *elf_file__section(const struct elf_file *ef, size_t i)
{
	return i < ef->nsections ? &ef->sections[i] : NULL;
}

const struct elf_section *elf_file__find_section(const struct elf_file *ef, const char *name)
{
	size_t i;

	for (i = 0; i < ef->nsections; i++)
		if (!strcmp(ef->sections[i].name, name))
			return &ef->sections[i];
	return NULL;
}

size_t elf_file__nsegments(const struct elf_file *ef)
{
	return ef->nsegments;
}

const struct elf_segment *elf_file__segment(const struct elf_file *ef, size_t i)
{
	return i < ef->nsegments ? &ef->segments[i] : NULL;
}

const void *elf_file__section_bytes(const struct elf_file *ef, const struct elf_section *s)
{
	if (!s || s->type == SHT_NOBITS)
		return NULL;
	return elf_file__bytes(ef, s->offset, s->size);
}

static const struct elf_segment *load_segment_for(const struct elf_file *ef, uint64_t vaddr)
{
	size_t i;

	for (i = 0; i < ef->nsegments; i++) {
		const struct elf_segment *s = &ef->segments[i];

		if (s->type == PT_LOAD && vaddr >= s->vaddr && vaddr - s->vaddr < s->filesz)
			return s;
	}
	return NULL;
}

int elf_file__vaddr_to_offset(const struct elf_file *ef, uint64_t vaddr, uint64_t *off)
{
	const struct elf_segment *s = load_segment_for(ef, vaddr);

	if (!s)
		return -ENOENT;
	*off = s->offset + (vaddr - s->vaddr);
	return 0;
}

const void *elf_file__vaddr_bytes(const struct elf_file *ef, uint64_t vaddr, uint64_t *avail)
{
	const struct elf_segment *s = load_segment_for(ef, vaddr);
	uint64_t off, n;

	if (!s || s->offset > ef->size || vaddr - s->vaddr > ef->size - s->offset)
		return NULL;
	off = s->offset + (vaddr - s->vaddr);
	n = s->filesz - (vaddr - s->vaddr);
	if (n > ef->size - off)
		n = ef->size - off;
	if (avail)
		*avail = n;
	return ef->data + off;
}

uint64_t elf_file__base_vaddr(const struct elf_file *ef)
{
	uint64_t base = UINT64_MAX;
	size_t i;

	for (i = 0; i < ef->nsegments; i++)
		if (ef->segments[i].type == PT_LOAD && ef->segments[i].vaddr < base)
			base = ef->segments[i].vaddr;
	return base == UINT64_MAX ? 0 : base;
}
