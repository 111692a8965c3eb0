# All dependencies are Debian packages found with CMake's own mechanisms; nothing is downloaded.
find_package(OpenMP REQUIRED)
find_package(Threads REQUIRED)
find_package(ZLIB REQUIRED)
find_package(nlohmann_json 3 REQUIRED)

# OpenBLAS: Debian installs each flavour in its own folder. The OpenMP flavour runs its threads in
# libgomp's pool, so GEMM and our own OpenMP loops share two cores instead of fighting over them.
# Both flavours share one ABI; Debian ships cblas.h with the pthread flavour's -dev package.
find_path(OPENBLAS_INCLUDE_DIR cblas.h
  PATHS /usr/include/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-pthread /usr/include/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-openmp
  NO_DEFAULT_PATH REQUIRED)
find_library(OPENBLAS_LIBRARY NAMES openblas libopenblas.so.0
  PATHS /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-${SPRIG_BLAS_VARIANT} NO_DEFAULT_PATH)
if(NOT OPENBLAS_LIBRARY)
  message(FATAL_ERROR "OpenBLAS (${SPRIG_BLAS_VARIANT} flavour) not found: apt-get install libopenblas-dev libopenblas0-${SPRIG_BLAS_VARIANT}")
endif()
message(STATUS "sprig: OpenBLAS ${SPRIG_BLAS_VARIANT} flavour at ${OPENBLAS_LIBRARY}")
add_library(sprig::blas INTERFACE IMPORTED)
target_include_directories(sprig::blas INTERFACE ${OPENBLAS_INCLUDE_DIR})
target_link_libraries(sprig::blas INTERFACE ${OPENBLAS_LIBRARY})

find_path(STB_INCLUDE_DIR stb_image.h PATH_SUFFIXES stb REQUIRED)

# Open MPI (optional): without it sprig builds and runs single-process, and mpirun tests are skipped.
set(SPRIG_MPI_FOUND OFF)
if(SPRIG_MPI)
  find_package(MPI COMPONENTS CXX QUIET)
  if(MPI_CXX_FOUND)
    set(SPRIG_MPI_FOUND ON)
    message(STATUS "sprig: MPI ${MPI_CXX_VERSION} found; data-parallel training and sweeps on (mpirun: ${MPIEXEC_EXECUTABLE})")
  else()
    message(STATUS "sprig: MPI not found (apt-get install libopenmpi-dev openmpi-bin); building single-process")
  endif()
endif()
