# Compiler flags for every tree: C11, warnings are errors for every compiler.
set(CMAKE_C_STANDARD 11)
set(CMAKE_C_STANDARD_REQUIRED ON)
set(CMAKE_C_EXTENSIONS OFF)
if(NOT CMAKE_BUILD_TYPE)
  set(CMAKE_BUILD_TYPE RelWithDebInfo)
endif()
add_compile_options(-Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes
                    -Wmissing-prototypes -Wvla)

if(WIN32)
  # Windows 7 API level; wide-character Win32 calls; C99 printf from mingw.
  add_compile_definitions(_WIN32_WINNT=0x0601 WINVER=0x0601 UNICODE _UNICODE
                          __USE_MINGW_ANSI_STDIO=1)
  # No DLLs beside the executables: libgcc, zlib and libpng are linked in.
  add_link_options(-static -static-libgcc)
else()
  add_compile_definitions(_POSIX_C_SOURCE=200809L)
endif()

if(VDA_SANITIZE)
  set(VDA_SAN_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all
                    -fno-omit-frame-pointer)
  add_compile_options(${VDA_SAN_FLAGS})
  add_link_options(${VDA_SAN_FLAGS})
endif()
