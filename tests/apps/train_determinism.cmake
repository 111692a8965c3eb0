# Runs the train app twice with the same seed and threads; the metrics and the checkpoint must be
# byte-identical. Arguments: TRAIN (the program), DATA (MNIST folder), OUT (scratch folder).
# Both runs write to the same --out (it is part of config.json), the first one's files moved aside.
file(REMOVE_RECURSE ${OUT})
foreach(run a b)
  execute_process(COMMAND ${TRAIN} --data ${DATA} --model mlp_32 --epochs 1 --batch 100 --validation 1000
                          --seed 7 --threads 2 --out ${OUT}/run
                  RESULT_VARIABLE status OUTPUT_QUIET ERROR_VARIABLE errors)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "train failed (${status}): ${errors}")
  endif()
  file(RENAME ${OUT}/run ${OUT}/${run})
endforeach()
foreach(file metrics.csv model.safetensors config.json)
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUT}/a/${file} ${OUT}/b/${file} RESULT_VARIABLE differs)
  if(differs)
    message(FATAL_ERROR "${file} differs between two runs with the same seed and threads")
  endif()
endforeach()
message(STATUS "identical: metrics.csv, model.safetensors, config.json")
