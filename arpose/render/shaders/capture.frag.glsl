#version 330
// Writes the skinned world position of each vertex (skinned.vert in capture mode).
in vec3 v_world;
out vec4 f_color;
void main() {
    f_color = vec4(v_world, 1.0);
}
