#version 330
// Instanced textured quads: one instance = one sprite.
uniform mat4 u_proj;
in vec2 in_uv;            // unit quad corner, (0,0) top-left of the image
in mat4 in_model;         // world matrix of the unit quad
in vec4 in_color;         // tint * opacity
in vec2 in_occlusion;     // mode (0 none, 1 depth, 2 always), body plane depth
out vec2 v_uv;
out vec4 v_color;
out float v_depth;
flat out vec2 v_occlusion;
void main() {
    vec4 world = in_model * vec4(in_uv, 0.0, 1.0);
    v_uv = in_uv;
    v_color = in_color;
    v_depth = world.z;
    v_occlusion = in_occlusion;
    gl_Position = u_proj * world;
}
